import Glibc
import Netlink
import NetworkCore

/// Keeps one kernel routing table in step with a stream of route changes, as BIRD's kernel
/// protocol does: each prefix installed with our protocol number, replaced when its next
/// hop changes, removed when it goes. Changes go to the kernel in netlink batches, and a
/// route the kernel refuses is reported, not fatal. Only routes of our protocol number are
/// ever replaced or removed: an install that meets another protocol's route for the same
/// prefix and metric is refused (EEXIST) instead of overwriting it.
///
/// Not thread-safe (like the `NetlinkSocket` it owns): one caller at a time.
public final class KernelRouteSync {
    public let table: KernelTable
    private let socket: NetlinkSocket
    /// What we put into the kernel, so that an unchanged next hop costs no request and a
    /// withdrawal of a prefix we never installed costs none either.
    private var installed: [IPPrefix: KernelNextHop] = [:]
    /// Routes of ours found at a graceful restart and not changed since (`adoptExisting`).
    private var adopted: [IPPrefix: KernelRoute] = [:]

    /// Opens a netlink socket in `namespace` (nil: the calling thread's namespace).
    public init(table: KernelTable, namespace: NetworkNamespace? = nil) throws {
        self.table = table
        socket = try namespace?.openNetlinkSocket() ?? NetlinkSocket()
    }

    /// Prefixes currently installed by this instance.
    public var installedCount: Int { installed.count }

    /// Removes every route of our protocol in our table, IPv4 and IPv6: at start, the
    /// routes an earlier run left behind; at a shutdown without graceful restart, ours.
    /// Returns how many went.
    @discardableResult
    public func removeAll() throws(NetlinkError) -> Int {
        var routes: [KernelRoute] = []
        for family in [IPFamily.v4, .v6] {
            routes += try ownRoutes(family: family)
        }
        try delete(routes)
        installed.removeAll()
        adopted.removeAll()
        return routes.count
    }

    /// After a graceful restart (RFC 4724): keeps the routes of our protocol an earlier run
    /// left, as if installed by us, so that a route learned again with the same next hop
    /// costs nothing and one with another next hop replaces it. Returns how many.
    @discardableResult
    public func adoptExisting() throws(NetlinkError) -> Int {
        for family in [IPFamily.v4, .v6] {
            for route in try ownRoutes(family: family) {
                adopted[route.destination] = route
                if let gateway = route.gateway { installed[route.destination] = KernelNextHop(gateway: gateway) }
            }
        }
        return adopted.count
    }

    /// The end of a graceful restart: removes the adopted routes no change has mentioned
    /// since (the peers did not announce them again). Returns how many went.
    @discardableResult
    public func removeAdopted() throws(NetlinkError) -> Int {
        let routes = Array(adopted.values)
        try delete(routes)
        for route in routes { installed[route.destination] = nil }
        adopted.removeAll()
        return routes.count
    }

    /// The routes of our protocol in our table, as the kernel lists them.
    public func ownRoutes(family: IPFamily) throws(NetlinkError) -> [KernelRoute] {
        // A dump that races a change is read again (NLM_F_DUMP_INTR).
        var attempts = 0
        while true {
            do throws(NetlinkError) {
                return try socket.listRoutes(family: family, table: table.id).filter { $0.protocolID == table.protocolID }
            } catch .dumpInterrupted(let operation) {
                attempts += 1
                if attempts == 5 { throw .dumpInterrupted(operation: operation) }
            }
        }
    }

    /// Applies `changes` in order (for one prefix only its last change matters) and says
    /// what happened. Throws only when the netlink socket itself fails.
    public func apply(_ changes: [KernelRouteChange]) throws(NetlinkError) -> KernelSyncReport {
        var report = KernelSyncReport()
        var work: [(change: KernelRouteChange, previous: KernelNextHop?)] = []
        var requests: [NetlinkRequest] = []
        var seen = Set<IPPrefix>(minimumCapacity: changes.count)
        for change in changes.reversed() where seen.insert(change.prefix).inserted {
            if !adopted.isEmpty { adopted[change.prefix] = nil }
            let previous = installed[change.prefix]
            switch change {
            case .install(let prefix, let nextHop):
                guard previous != nextHop else { continue }
                let route = kernelRoute(prefix, via: nextHop)
                requests.append(previous == nil ? .addRoute(route) : .replaceRoute(route))
            case .remove(let prefix):
                guard let previous else { continue }
                requests.append(deletion(prefix, via: previous))
            }
            work.append((change, previous))
        }
        let outcomes = try socket.performEach(requests)
        var cleanups: [NetlinkRequest] = []
        for ((change, previous), failure) in zip(work, outcomes) {
            switch (change, failure) {
            case (.install(let prefix, let nextHop), nil):
                installed[prefix] = nextHop
                if previous == nil { report.added += 1 } else { report.replaced += 1 }
            case (.install(let prefix, let nextHop), let error?):
                // The old route would now send traffic to the wrong next hop: it goes too.
                if let previous {
                    cleanups.append(deletion(prefix, via: previous))
                    installed[prefix] = nil
                }
                report.refused.append((prefix, nextHop, error))
            case (.remove(let prefix), _):
                // ESRCH is tolerated: someone removed it before us, which is the same end.
                installed[prefix] = nil
                report.removed += 1
            }
        }
        if !cleanups.isEmpty { _ = try socket.performEach(cleanups) }
        return report
    }

    private func kernelRoute(_ prefix: IPPrefix, via nextHop: KernelNextHop) -> KernelRoute {
        KernelRoute(destination: prefix, gateway: nextHop.gateway, outputInterface: nextHop.device, metric: table.metric,
              table: table.id, protocolID: table.protocolID)
    }

    private func deletion(_ prefix: IPPrefix, via nextHop: KernelNextHop) -> NetlinkRequest {
        Self.deletion(kernelRoute(prefix, via: nextHop))
    }

    /// Only a route of our protocol matches; one already gone (ESRCH) is the same end.
    private static func deletion(_ route: KernelRoute) -> NetlinkRequest {
        .deleteRoute(route, matchingProtocol: true).tolerating(ESRCH)
    }

    private func delete(_ routes: [KernelRoute]) throws(NetlinkError) {
        let outcomes = try socket.performEach(routes.map(Self.deletion))
        if let failure = outcomes.lazy.compactMap({ $0 }).first { throw failure }
    }
}
