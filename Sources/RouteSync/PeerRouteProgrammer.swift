import Glibc
import Netlink
import NetworkCore

/// Keeps the peer host routes in the kernel. The desired state is each peer's
/// `PeerRoutePlan`; the record holds only what the kernel acknowledged (or reported in a
/// dump or an event); a change is the diff between the two for the keys it touched, sent as
/// one batch under our protocol number. Routes and nexthops of other protocols are never
/// replaced or removed: a route is added exclusively (EEXIST: another owner's is there,
/// reported) and deleted matching our protocol; a nexthop id is only ever one of ours.
///
/// Not thread-safe: `RouteWriter` runs it on its thread.
final class PeerRouteProgrammer {
    let config: RouteSyncConfig
    private let socket: any RouteSyncSocket
    private let log: @Sendable (String) -> Void
    /// `.nexthop` or `.classic` once `start` resolved `auto`.
    private(set) var mode: RoutesMode
    private var peers: [String: PeerNode] = [:]
    private var connected: [ConnectedNetwork] = []
    /// Links carrying an address of this node, and whether each was up at the last rescan:
    /// only their changes can change what is connected (a pod's new veth cannot).
    private var addressedLinks: [Int32: Bool] = [:]
    private var ids = NexthopIDs()
    /// Desired state: each peer's plan, and the union by key.
    private var plans: [String: PeerRoutePlan] = [:]
    private var wantedNexthops: [UInt32: Nexthop] = [:]
    private var wantedRoutes: [IPPrefix: KernelRoute] = [:]
    private var routeOwners: [IPPrefix: String] = [:]
    private var duplicates: [IPPrefix: String] = [:]
    /// Ours in the kernel, as acknowledged, dumped or announced.
    private var nexthops: [UInt32: Nexthop] = [:]
    private var routes: [IPPrefix: KernelRoute] = [:]
    /// Keys whose desired and recorded state may differ since the last reconcile.
    private var dirtyRoutes = Set<IPPrefix>()
    private var dirtyNexthops = Set<UInt32>()
    /// Refusals of the last reconciles, by key, for the report; retried by `reconcile`.
    private var refusals: [String: String] = [:]
    /// The record may be wrong (a batch cut short, events lost, a link changed): read the
    /// kernel before the next diff.
    private(set) var needsRescan = false
    /// Whether the full set of peers has been given (`setPeers`). Until then nothing is
    /// reconciled: after a restart the adopted routes stay, whatever event comes first.
    private var peersKnown = false

    init(config: RouteSyncConfig, socket: any RouteSyncSocket, log: @escaping @Sendable (String) -> Void) {
        self.config = config
        self.socket = socket
        self.log = log
        mode = config.mode
    }

    private var table: UInt32 { config.table }
    private var protocolID: UInt8 { config.peerProtocolID }

    /// Whether some refused request waits for a retry.
    var hasRefusals: Bool { !refusals.isEmpty }

    /// Resolves `auto`, then adopts what the kernel holds of ours: nothing is removed or
    /// re-added at start, so a restart after SIGKILL leaves forwarding alone.
    func start() throws(NetlinkError) {
        if mode != .classic {
            let socket = socket
            do throws(NetlinkError) {
                _ = try socket.retryingInterrupted { () throws(NetlinkError) in try socket.nexthops(protocolID: nil) }
                mode = .nexthop
            } catch where error.meansNoNexthopObjects && mode == .auto {
                log("routes: the kernel has no nexthop objects (\(error)); falling back to classic gateway routes, which cost quadratic time with many peers")
                mode = .classic
            }
        }
        try rescan()
    }

    /// Reads the connected networks, our nexthops and routes and the other owners' nexthop
    /// ids from the kernel; the record becomes what the kernel says, every peer is planned
    /// again and every key is compared at the next reconcile.
    func rescan() throws(NetlinkError) {
        let socket = socket, table = table, protocolID = protocolID
        let links = try socket.retryingInterrupted { () throws(NetlinkError) in try socket.listLinks() }
        let addresses = try socket.retryingInterrupted { () throws(NetlinkError) in try socket.listAddresses(family: nil, index: nil) }
        connected = ConnectedNetwork.from(addresses: addresses, links: links)
        let addressed = Set(addresses.filter { $0.scope != ConnectedNetwork.hostScope }.map(\.index))
        addressedLinks = Dictionary(links.filter { addressed.contains($0.index) }.map { ($0.index, $0.isUp) }, uniquingKeysWith: { $1 })
        nexthops = [:]
        ids.foreign = []
        if mode == .nexthop {
            for nexthop in try socket.retryingInterrupted({ () throws(NetlinkError) in try socket.nexthops(protocolID: nil) }) {
                if nexthop.protocolID == protocolID { nexthops[nexthop.id] = nexthop } else { ids.foreign.insert(nexthop.id) }
            }
        }
        routes = [:]
        for family in [IPFamily.v4, .v6] {
            for route in try socket.retryingInterrupted({ () throws(NetlinkError) in try socket.listRoutes(family: family, table: table) })
            where route.protocolID == protocolID {
                routes[route.destination] = route
            }
        }
        needsRescan = false
        replanAll()
    }

    /// The full set of peers (this node left out by the caller).
    func setPeers(_ peers: [PeerNode]) {
        peersKnown = true
        let incoming = Dictionary(peers.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        for name in self.peers.keys where incoming[name] == nil { removePeer(named: name) }
        for peer in incoming.values where self.peers[peer.name] != peer { updatePeer(peer) }
    }

    func updatePeer(_ peer: PeerNode) {
        withdraw(peer.name)
        peers[peer.name] = peer
        plan(peer)
    }

    func removePeer(named name: String) {
        withdraw(name)
        peers[name] = nil
        for family in [IPFamily.v4, .v6] { ids.release(NexthopIDs.Key(node: name, family: family)) }
    }

    private func replanAll() {
        plans = [:]
        wantedNexthops = [:]
        wantedRoutes = [:]
        routeOwners = [:]
        duplicates = [:]
        for peer in peers.values.sorted(by: { $0.name < $1.name }) { plan(peer) }
        dirtyRoutes = Set(routes.keys).union(wantedRoutes.keys)
        dirtyNexthops = Set(nexthops.keys).union(wantedNexthops.keys)
    }

    private func plan(_ peer: PeerNode) {
        let installed = nexthops
        let plan = PeerRoutePlan.make(for: peer, connected: connected, mode: mode, table: table, protocolID: protocolID,
                                      metric: config.metric) { family, gateway in
            ids.id(for: NexthopIDs.Key(node: peer.name, family: family), gateway: gateway, installed: installed)
        }
        plans[peer.name] = plan
        for nexthop in plan.nexthops {
            wantedNexthops[nexthop.id] = nexthop
            dirtyNexthops.insert(nexthop.id)
        }
        for route in plan.routes {
            if let owner = routeOwners[route.destination], owner != peer.name {
                duplicates[route.destination] = "\(route.destination) is leased to both \(owner) and \(peer.name): routed to \(owner); check the lease store"
                continue
            }
            routeOwners[route.destination] = peer.name
            wantedRoutes[route.destination] = route
            dirtyRoutes.insert(route.destination)
        }
    }

    private func withdraw(_ name: String) {
        guard let old = plans.removeValue(forKey: name) else { return }
        for nexthop in old.nexthops {
            wantedNexthops[nexthop.id] = nil
            dirtyNexthops.insert(nexthop.id)
        }
        for route in old.routes where routeOwners[route.destination] == name {
            routeOwners[route.destination] = nil
            wantedRoutes[route.destination] = nil
            duplicates[route.destination] = nil
            dirtyRoutes.insert(route.destination)
        }
    }

    /// A kernel event: updates the record and says whether a reconcile is due (a route or
    /// nexthop of ours deleted by hand, another owner's replacing ours, a link or address
    /// change, lost events: those last three need a rescan).
    func observe(_ event: NetlinkEvent) -> Bool {
        switch event {
        case .route(let route, let removed):
            guard route.table == table, let ours = routes[route.destination], route.metric == ours.metric else { return false }
            // Ours deleted, or another owner replaced ours (NLM_F_REPLACE): either way not ours now.
            guard removed == (route.protocolID == protocolID) else { return false }
            routes[route.destination] = nil
            dirtyRoutes.insert(route.destination)
            return wantedRoutes[route.destination] != nil
        case .nexthop(let nexthop, let removed):
            if nexthop.protocolID != protocolID {
                if removed { ids.foreign.remove(nexthop.id) } else { ids.foreign.insert(nexthop.id) }
                guard !removed, nexthops.removeValue(forKey: nexthop.id) != nil else { return false }
                // Our id is someone else's now: the peer gets another one.
                needsRescan = true
                return true
            }
            guard removed, nexthops.removeValue(forKey: nexthop.id) != nil else { return false }
            // The kernel removes the routes through a deleted nexthop without announcing them.
            forgetRoutes(through: nexthop.id)
            dirtyNexthops.insert(nexthop.id)
            return wantedNexthops[nexthop.id] != nil
        case .link(let link, let removed):
            // A link of ours going down (or away) takes its nexthops and routes without
            // per-object events; one coming up makes its networks connected again.
            guard let wasUp = addressedLinks[link.index], removed || wasUp != link.isUp else { return false }
            needsRescan = true
            return true
        case .address(let address, _):
            guard address.scope != ConnectedNetwork.hostScope else { return false }
            needsRescan = true
            return true
        case .rule:
            return false
        case .eventsLost:
            needsRescan = true
            return true
        }
    }

    private func forgetRoutes(through id: UInt32) {
        for (prefix, route) in routes where route.nexthopID == id {
            routes[prefix] = nil
            dirtyRoutes.insert(prefix)
        }
    }

    /// Sends the diff between the desired state and the record for the dirty keys (and the
    /// refused ones, retried) as one batch; the record follows each ACK. Returns how many
    /// requests were refused.
    @discardableResult
    func reconcile() throws(NetlinkError) -> Int {
        if needsRescan { try rescan() }
        guard peersKnown else { return 0 }
        var requests: [NetlinkRequest] = []
        var effects: [Effect] = []
        var removedNexthops: [UInt32] = []
        for id in dirtyNexthops {
            let current = nexthops[id]
            if let wanted = wantedNexthops[id] {
                guard current.map({ !$0.forwardsLike(wanted) }) ?? true else { continue }
                requests.append(current == nil ? .addNexthop(wanted) : .replaceNexthop(wanted))
                effects.append(.nexthop(id, wanted))
            } else if current != nil {
                removedNexthops.append(id)
            }
        }
        var removedRoutes: [(IPPrefix, KernelRoute)] = []
        for prefix in dirtyRoutes {
            let current = routes[prefix]
            guard let wanted = wantedRoutes[prefix] else {
                if let current { removedRoutes.append((prefix, current)) }
                continue
            }
            if let current {
                guard !wanted.forwardsLike(current) else { continue }
                // Never NLM_F_REPLACE: delete ours (matching our protocol) and add exclusively,
                // so a route that became another owner's is refused, not overwritten.
                requests.append(Self.deletion(current))
                effects.append(.route(prefix, nil))
            }
            requests.append(.addRoute(wanted))
            effects.append(.route(prefix, wanted))
        }
        // Deletions last: routes before the nexthops they may use.
        for (prefix, current) in removedRoutes {
            requests.append(Self.deletion(current))
            effects.append(.route(prefix, nil))
        }
        for id in removedNexthops {
            requests.append(NetlinkRequest.deleteNexthop(id: id).tolerating(ENOENT))
            effects.append(.nexthop(id, nil))
        }
        dirtyRoutes = []
        dirtyNexthops = []
        refusals = [:]
        guard !requests.isEmpty else { return 0 }
        let result = socket.performAcknowledged(requests)
        var idTaken = false
        for (effect, outcome) in zip(effects, result.outcomes) {
            switch (effect, outcome) {
            case (.route(let prefix, let route), nil):
                routes[prefix] = route
            case (.route(let prefix, let route), let failure?):
                dirtyRoutes.insert(prefix)
                if route != nil { routes[prefix] = nil }
                refusals[prefix.description] = failure.isExists && route != nil
                    ? "\(prefix): another owner's route is in table \(table) at this metric; ours is not installed over it"
                    : "\(prefix): \(failure)"
            case (.nexthop(let id, let nexthop), nil):
                nexthops[id] = nexthop
                if nexthop == nil { forgetRoutes(through: id) }
            case (.nexthop(let id, let nexthop), let failure?):
                dirtyNexthops.insert(id)
                if nexthop != nil, failure.isExists { idTaken = true; ids.foreign.insert(id) }
                refusals["nexthop \(id)"] = "nexthop \(nexthop?.description ?? "id \(id)"): \(failure)"
            }
        }
        if let interruption = result.interruption {
            // The requests past the acknowledged ones may or may not have been applied.
            needsRescan = true
            refusals["batch"] = "netlink batch cut short after \(result.outcomes.count) of \(requests.count) requests: \(interruption)"
            log("routes: \(refusals["batch"]!); reading the kernel again")
        }
        // An id another owner took in the meantime: plan the peers again around it.
        if idTaken { replanAll() }
        return refusals.count
    }

    private enum Effect {
        case route(IPPrefix, KernelRoute?)
        case nexthop(UInt32, Nexthop?)
    }

    private static func deletion(_ route: KernelRoute) -> NetlinkRequest {
        .deleteRoute(route, matchingProtocol: true).tolerating(ESRCH)
    }

    /// Removes every route and nexthop of our protocol (`terway-edged --cleanup`); returns how many.
    func removeAll() throws(NetlinkError) -> Int {
        peers = [:]
        peersKnown = true
        try rescan()
        let count = routes.count + nexthops.count
        try reconcile()
        return count
    }

    var report: PeerRouteReport {
        let expected = wantedRoutes.keys.sorted()
        var installed: [IPPrefix] = [], missing: [IPPrefix] = []
        for prefix in expected {
            if let route = routes[prefix], wantedRoutes[prefix]!.forwardsLike(route), route.nexthopID.map({ nexthops[$0] != nil }) ?? true {
                installed.append(prefix)
            } else {
                missing.append(prefix)
            }
        }
        let viaGateway = plans.keys.sorted().flatMap { plans[$0]!.viaGateway }
        let problems = plans.keys.sorted().flatMap { plans[$0]!.problems } + duplicates.keys.sorted().map { duplicates[$0]! }
            + refusals.keys.sorted().map { refusals[$0]! }
        return PeerRouteReport(mode: mode, expected: expected, installed: installed, missing: missing,
                               viaGateway: viaGateway, problems: problems)
    }
}
