import BGPCore
import CNetlink
import Foundation
import Netlink
import NetworkCore
import Synchronization

/// The host's table next hops resolve through, kept in step by netlink on a thread of its
/// own (`ip monitor route`), off the speaker's loop: one full read at start, then the
/// route notifications of that table, a full read again when events were lost (ENOBUFS) and
/// every `resyncInterval`. The speaker's own routes (`ownProtocol`) are left out. The
/// kernel announces no route change when a link goes down (IPv4 flushes the routes through
/// it, IPv6 keeps them unusable until the link is up again), so a link down removes the
/// routes through it, and a link up brings back the IPv6 ones.
final class ResolvingRouteWatch: @unchecked Sendable {
    /// What the thread hands to the speaker: the whole table, or what changed in it.
    enum Update: Sendable {
        case all([ResolvingRoute])
        case changes(added: [ResolvingRoute], removed: [ResolvingRoute])
    }

    private let config: NextHopConfig
    private let stopping = Atomic<Bool>(false)
    private let socket: NetlinkSocket
    private let monitor: NetlinkMonitor
    // The thread's own: the routes last handed out, by destination; the IPv6 routes of links
    // that are down, by link.
    private var known: [IPPrefix: [ResolvingRoute]] = [:]
    private var parked: [Int32: [ResolvingRoute]] = [:]

    /// Lost events are read again at most this often: a burst of them (a full table of our
    /// own routes going in) costs one full read per interval, not one per overflow.
    static let lostEventsDelay: Duration = .seconds(1)

    /// Opens the socket and the monitor (before the first read, so no change falls between).
    init(config: NextHopConfig) throws {
        self.config = config
        monitor = try NetlinkMonitor(groups: [.ipv4Route, .ipv6Route, .link])
        // A full table of ours going in would flood (and overflow) the monitor for nothing.
        if let own = config.ownProtocol { try monitor.dropRoutes(ofProtocol: own) }
        socket = try NetlinkSocket()
    }

    /// The table now, read on the calling thread.
    func readAll() throws -> [ResolvingRoute] {
        let routes = try (socket.listRoutes(family: .v4, table: config.table) + socket.listRoutes(family: .v6, table: config.table))
            .compactMap(resolving)
        known = Dictionary(grouping: routes, by: \.destination)
        parked = [:]
        return routes
    }

    /// Starts the thread; `deliver` gets each update, in order.
    func start(deliver: @escaping @Sendable (Update) -> Void) {
        let thread = Thread { [self] in run(deliver) }
        thread.name = "bgp-nexthops"
        thread.start()
    }

    /// The thread ends within 200 ms.
    func stop() { stopping.store(true, ordering: .relaxed) }

    private func run(_ deliver: (Update) -> Void) {
        var nextResync = ContinuousClock.now + config.resyncInterval
        var lostAt: ContinuousClock.Instant?
        while !stopping.load(ordering: .relaxed) {
            var added: [ResolvingRoute] = [], removed: [ResolvingRoute] = []
            do {
                var events = 0
                while events < 4096, let event = try monitor.next(timeout: events == 0 ? .milliseconds(200) : .zero) {
                    events += 1
                    take(event, added: &added, removed: &removed, lost: &lostAt)
                }
            } catch {
                lostAt = lostAt ?? .now
            }
            // Nothing goes to a speaker that is shutting down (its loop may be gone next).
            guard !stopping.load(ordering: .relaxed) else { return }
            if !added.isEmpty || !removed.isEmpty { deliver(.changes(added: added, removed: removed)) }
            let now = ContinuousClock.now
            if now >= nextResync || lostAt.map({ now >= $0 + Self.lostEventsDelay }) == true {
                if let routes = try? readAll() {
                    deliver(.all(routes))
                    lostAt = nil
                    nextResync = now + config.resyncInterval
                }
            }
        }
    }

    private func take(_ event: NetlinkEvent, added: inout [ResolvingRoute], removed: inout [ResolvingRoute],
                      lost: inout ContinuousClock.Instant?) {
        switch event {
        case .route(let route, let isRemoval):
            guard let resolving = resolving(route) else { return }
            if isRemoval {
                known[resolving.destination]?.removeAll { $0.metric == resolving.metric }
                removed.append(resolving)
            } else {
                known[resolving.destination, default: []].removeAll { $0.metric == resolving.metric }
                known[resolving.destination, default: []].append(resolving)
                added.append(resolving)
            }
        case .link(let link, let isRemoval) where isRemoval || !link.isUp:
            for (destination, routes) in known {
                let gone = routes.filter { $0.interface == link.index }
                guard !gone.isEmpty else { continue }
                known[destination]?.removeAll { $0.interface == link.index }
                removed += gone
                if !isRemoval { parked[link.index, default: []] += gone.filter { $0.destination.family == .v6 } }
            }
            if isRemoval { parked[link.index] = nil }
        case .link(let link, _):
            for route in parked.removeValue(forKey: link.index) ?? [] {
                known[route.destination, default: []].append(route)
                added.append(route)
            }
        case .eventsLost:
            lost = lost ?? .now
        default:
            break
        }
    }

    /// A route of the watched table that is not ours, as the resolver sees it.
    private func resolving(_ route: KernelRoute) -> ResolvingRoute? {
        guard route.table == config.table, route.protocolID != config.ownProtocol else { return nil }
        // A nexthop object or a multipath route names no single gateway here: it resolves nothing.
        let forwards = route.type == UInt8(RTN_UNICAST) && route.nexthopID == nil
            && (route.gateway != nil || route.outputInterface != nil)
        return ResolvingRoute(destination: route.destination, gateway: route.gateway, interface: route.outputInterface,
                              metric: route.metric ?? 0, forwards: forwards)
    }
}
