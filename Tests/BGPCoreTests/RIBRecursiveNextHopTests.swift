import BGPCore
import NetworkCore
import Testing

/// iBGP and multihop eBGP next hops resolved through the host's table (RFC 4271 §9.1.2.1,
/// BIRD's `gateway recursive`): a path whose next hop does not resolve stays in the
/// Adj-RIB-In unselected; a change of the table decides again only the prefixes through
/// the next hops it moved, and reports a best path whose gateway moved; the resolving
/// route's metric is the interior cost (§9.1.2.2 e).
@Suite("RIB recursive next hops")
struct RIBRecursiveNextHopTests {
    static let localAS: UInt32 = 65002
    static let prefix = RIBPrefix(IPPrefix("10.9.1.0/24")!)!
    static let other = RIBPrefix(IPPrefix("10.9.2.0/24")!)!

    static func internalPeer(_ last: UInt8) -> PeerInfo {
        PeerInfo(address: .v4(IPv4Address(10, 254, 0, last)), asNumber: localAS, routerID: IPv4Address(10, 255, 0, last),
                 isExternal: false, resolvesNextHop: true)
    }

    static func announce(via hop: String, prefixes: [String] = ["10.9.1.0/24"]) -> UpdateMessage {
        guard case .v4(let address)? = IPAddress(hop) else { fatalError(hop) }
        return UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: ASPath(sequence: []), nextHop: .ipv4(address),
                                                        localPref: 100),
                             nlri: prefixes.map { IPv4NLRI(IPPrefix($0)!)! })
    }

    static func route(_ destination: String, via gateway: String, metric: UInt32 = 0) -> ResolvingRoute {
        ResolvingRoute(destination: IPPrefix(destination)!, gateway: IPAddress(gateway), interface: 2, metric: metric)
    }

    static let connected = ResolvingRoute(destination: IPPrefix("10.254.0.0/24")!, interface: 2)

    @Test func anUnresolvedNextHopWaitsForARouteAndFollowsIt() {
        var rib = RIB(localAS: Self.localAS)
        let peer = rib.addPeer(Self.internalPeer(2))
        var changes: [BestPathChange] = []
        rib.setNextHopResolver(NextHopResolver(routes: [Self.connected]), changes: &changes)
        // 10.9.1.0/24 via 10.88.0.1 (two hops away), 10.9.2.0/24 via the peer on the link.
        rib.apply(Self.announce(via: "10.88.0.1"), from: peer, changes: &changes)
        rib.apply(Self.announce(via: "10.254.0.2", prefixes: ["10.9.2.0/24"]), from: peer, changes: &changes)
        #expect(changes.map(\.prefix) == [Self.other])
        #expect(rib.best(Self.prefix) == nil)
        #expect(rib.adjRIBIn(peer).count == 2)
        var unreachable: [(RIBPrefix, RIB.NextHopProblem)] = []
        rib.forEachUnreachable { unreachable.append(($0.prefix, $1)) }
        #expect(unreachable.map(\.0) == [Self.prefix] && unreachable.map(\.1) == [.unresolved])

        // A static route to the next hop's network: selected, resolved through its gateway.
        changes = []
        rib.updateResolvingRoutes(changes: &changes) { $0.apply(added: [Self.route("10.88.0.0/24", via: "10.254.0.3")], removed: []) }
        #expect(changes.map(\.prefix) == [Self.prefix])
        #expect(rib.best(Self.prefix)?.peer == peer)
        #expect(rib.resolution(of: .ipv4(IPv4Address(10, 88, 0, 1)))?.gateway == IPAddress("10.254.0.3"))

        // Its gateway changes: the same best path is reported again (the kernel route moves).
        changes = []
        rib.updateResolvingRoutes(changes: &changes) { $0.apply(added: [Self.route("10.88.0.0/24", via: "10.254.0.4")], removed: []) }
        #expect(changes.map(\.prefix) == [Self.prefix] && changes.first?.best?.peer == peer)
        #expect(rib.resolution(of: .ipv4(IPv4Address(10, 88, 0, 1)))?.gateway == IPAddress("10.254.0.4"))

        // A route elsewhere moves nothing.
        changes = []
        rib.updateResolvingRoutes(changes: &changes) { $0.apply(added: [Self.route("192.0.2.0/24", via: "10.254.0.4")], removed: []) }
        #expect(changes.isEmpty)

        // It goes: the prefix leaves the Loc-RIB, the path stays in the Adj-RIB-In.
        rib.updateResolvingRoutes(changes: &changes) { $0.apply(added: [], removed: [Self.route("10.88.0.0/24", via: "10.254.0.4")]) }
        #expect(changes == [BestPathChange(prefix: Self.prefix, best: nil)])
        #expect(rib.adjRIBIn(peer).count == 2)
    }

    /// Peers checked against connected networks, and no resolver at all, are untouched.
    @Test func onlyResolvingPeersDependOnTheTable() {
        var rib = RIB(localAS: Self.localAS)
        let resolving = rib.addPeer(Self.internalPeer(2))
        let unchecked = rib.addPeer(PeerInfo(address: .v4(IPv4Address(10, 254, 0, 3)), asNumber: Self.localAS,
                                             routerID: IPv4Address(10, 255, 0, 3), isExternal: false))
        var changes: [BestPathChange] = []
        rib.apply(Self.announce(via: "10.88.0.1"), from: resolving, changes: &changes)
        // No resolver yet: every next hop is taken as reachable (the speaker without a table).
        #expect(rib.best(Self.prefix)?.peer == resolving)
        rib.setNextHopResolver(NextHopResolver(routes: [Self.connected]), changes: &changes)
        #expect(rib.best(Self.prefix) == nil)
        rib.apply(Self.announce(via: "10.88.0.2"), from: unchecked, changes: &changes)
        #expect(rib.best(Self.prefix)?.peer == unchecked)
    }

    /// RFC 4271 §9.1.2.2 (e): between iBGP paths equal so far, the lower metric of the route
    /// each next hop resolves through wins, and the order follows the table.
    @Test func theInteriorCostBreaksTheTie() {
        var rib = RIB(localAS: Self.localAS)
        // Peer 2 has the lower router id: it wins when the costs are equal.
        let low = rib.addPeer(Self.internalPeer(2)), high = rib.addPeer(Self.internalPeer(3))
        var changes: [BestPathChange] = []
        rib.setNextHopResolver(NextHopResolver(routes: [Self.connected, Self.route("10.88.2.0/24", via: "10.254.0.2", metric: 30),
                                                        Self.route("10.88.3.0/24", via: "10.254.0.3", metric: 10)]),
                               changes: &changes)
        rib.apply(Self.announce(via: "10.88.2.1"), from: low, changes: &changes)
        rib.apply(Self.announce(via: "10.88.3.1"), from: high, changes: &changes)
        #expect(rib.best(Self.prefix)?.peer == high)
        changes = []
        rib.updateResolvingRoutes(changes: &changes) { $0.apply(added: [Self.route("10.88.2.0/24", via: "10.254.0.2", metric: 10)], removed: []) }
        #expect(rib.best(Self.prefix)?.peer == low)
        #expect(changes.map(\.best?.peer) == [low])
    }

    /// Attribute sets come and go; the resolver tracks only the next hops still in use.
    @Test func withdrawnNextHopsAreNoLongerTracked() {
        var rib = RIB(localAS: Self.localAS)
        let peer = rib.addPeer(Self.internalPeer(2))
        var changes: [BestPathChange] = []
        rib.setNextHopResolver(NextHopResolver(routes: [Self.connected]), changes: &changes)
        rib.apply(Self.announce(via: "10.88.0.1"), from: peer, changes: &changes)
        rib.apply(UpdateMessage(withdrawn: [IPv4NLRI(IPPrefix("10.9.1.0/24")!)!]), from: peer, changes: &changes)
        changes = []
        rib.updateResolvingRoutes(changes: &changes) { resolver in
            #expect(resolver.trackedCount == 0)
            return resolver.apply(added: [Self.route("10.88.0.0/24", via: "10.254.0.3")], removed: [])
        }
        #expect(changes.isEmpty)
    }
}
