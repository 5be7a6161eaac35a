import BGPCore
import NetworkCore
import Testing

/// Next-hop reachability (RFC 4271 §9.1.2.1): a single-hop eBGP peer's path whose next hop
/// is on no connected network stays in its Adj-RIB-In but is never the best, and becomes
/// the best when a network holding it appears.
@Suite("RIB next hops")
struct RIBNextHopTests {
    static let localAS: UInt32 = 65002
    static let prefix = RIBPrefix(IPPrefix("10.0.1.0/24")!)!
    static let linkNetwork = ConnectedNetworks([IPPrefix("192.0.2.0/24")!, IPPrefix("fe80::/64")!])

    static func singleHop(_ last: UInt8, as asNumber: UInt32 = 65001) -> PeerInfo {
        PeerInfo(address: .v4(IPv4Address(192, 0, 2, last)), asNumber: asNumber, routerID: IPv4Address(10, 255, 0, last),
                 isExternal: true, needsConnectedNextHop: true)
    }

    static func announce(via hop: IPv4Address, path: [UInt32] = [65001], prefixes: [String] = ["10.0.1.0/24"]) -> UpdateMessage {
        UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: ASPath(sequence: path), nextHop: .ipv4(hop)),
                      nlri: prefixes.map { IPv4NLRI(IPPrefix($0)!)! })
    }

    @Test func unreachableNextHopIsNotSelectedUntilItsNetworkAppears() {
        var rib = RIB(localAS: Self.localAS)
        let peer = rib.addPeer(Self.singleHop(1))
        var changes: [BestPathChange] = []
        rib.setConnectedNetworks(ConnectedNetworks([IPPrefix("192.0.2.0/24")!]), changes: &changes)
        rib.apply(Self.announce(via: IPv4Address(198, 51, 100, 1)), from: peer, changes: &changes)
        #expect(changes.isEmpty)
        #expect(rib.best(Self.prefix) == nil)
        #expect(rib.bestRoutes().isEmpty)
        #expect(rib.paths(Self.prefix).map(\.isBest) == [false])
        #expect(rib.adjRIBIn(peer).count == 1)
        var unreachable: [RIBPrefix] = []
        rib.forEachUnreachable { route, _ in unreachable.append(route.prefix) }
        #expect(unreachable == [Self.prefix])

        // The next hop's network comes up: the path is selected and reported.
        rib.setConnectedNetworks(ConnectedNetworks([IPPrefix("192.0.2.0/24")!, IPPrefix("198.51.100.0/24")!]),
                                 changes: &changes)
        #expect(changes.map(\.prefix) == [Self.prefix])
        #expect(changes.first?.best?.peer == peer)
        #expect(rib.best(Self.prefix)?.peer == peer)

        // And goes down again: the prefix leaves the Loc-RIB (a withdrawal), the path stays.
        changes = []
        rib.setConnectedNetworks(ConnectedNetworks([IPPrefix("192.0.2.0/24")!]), changes: &changes)
        #expect(changes == [BestPathChange(prefix: Self.prefix, best: nil)])
        #expect(rib.adjRIBIn(peer).count == 1)
        // Withdrawing the unselected path changes no best path.
        changes = []
        var withdrawal = UpdateMessage()
        withdrawal.withdrawn = [IPv4NLRI(IPPrefix("10.0.1.0/24")!)!]
        rib.apply(withdrawal, from: peer, changes: &changes)
        #expect(changes.isEmpty && rib.adjRIBIn(peer).isEmpty)
    }

    /// A better path through an unreachable next hop loses to a worse reachable one, in
    /// either arrival order, and wins once its next hop is reachable.
    @Test func reachablePathWinsOverBetterUnreachableOne() {
        for order in [true, false] {
            var rib = RIB(localAS: Self.localAS)
            let near = rib.addPeer(Self.singleHop(1))
            let far = rib.addPeer(Self.singleHop(2, as: 65003))
            var changes: [BestPathChange] = []
            rib.setConnectedNetworks(Self.linkNetwork, changes: &changes)
            let steps = [(near, Self.announce(via: IPv4Address(192, 0, 2, 1), path: [65001, 65009, 65010])),
                         (far, Self.announce(via: IPv4Address(203, 0, 113, 2), path: [65003]))]
            for (peer, update) in order ? steps : steps.reversed() { rib.apply(update, from: peer, changes: &changes) }
            #expect(rib.best(Self.prefix)?.peer == near)
            #expect(rib.paths(Self.prefix).map(\.peer) == [near, far])

            changes = []
            rib.setConnectedNetworks(ConnectedNetworks(Self.linkNetwork.networks + [IPPrefix("203.0.113.0/24")!]),
                                     changes: &changes)
            #expect(rib.best(Self.prefix)?.peer == far)
            #expect(changes.map { $0.best?.peer } == [far])
        }
    }

    /// Only single-hop eBGP peers are checked; iBGP and multihop next hops are taken as
    /// reachable; a link-local IPv6 next hop is on the session's link.
    @Test func onlySingleHopExternalPeersAreChecked() {
        var rib = RIB(localAS: Self.localAS)
        let iBGP = rib.addPeer(PeerInfo(address: .v4(IPv4Address(10, 0, 0, 9)), asNumber: Self.localAS,
                                            routerID: IPv4Address(10, 0, 0, 9), isExternal: false))
        let linkLocal = rib.addPeer(Self.singleHop(3))
        var changes: [BestPathChange] = []
        rib.setConnectedNetworks(ConnectedNetworks([]), changes: &changes)
        rib.apply(Self.announce(via: IPv4Address(198, 51, 100, 1), path: []), from: iBGP, changes: &changes)
        #expect(rib.best(Self.prefix)?.peer == iBGP)
        let v6 = RIBPrefix(IPPrefix("fd00:1::/64")!)!
        var update = UpdateMessage()
        update.attributes = PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001]))
        update.mpReach = MPReachNLRI(family: .ipv6Unicast,
                                     nextHop: .ipv6(global: IPv6Address("2001:db8::1")!, linkLocal: IPv6Address("fe80::1")!),
                                     prefixes: .ipv6([IPv6NLRI(IPPrefix("fd00:1::/64")!)!]))
        rib.apply(update, from: linkLocal, changes: &changes)
        #expect(rib.best(v6)?.peer == linkLocal)
    }

    /// Without `setConnectedNetworks` nothing is checked (a RIB without interfaces).
    @Test func uncheckedByDefault() {
        var rib = RIB(localAS: Self.localAS)
        let peer = rib.addPeer(Self.singleHop(1))
        rib.apply(Self.announce(via: IPv4Address(198, 51, 100, 1)), from: peer)
        #expect(rib.best(Self.prefix)?.peer == peer)
    }
}
