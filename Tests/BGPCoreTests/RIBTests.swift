import BGPCore
import NetworkCore
import Testing

/// The Loc-RIB's decision process (RFC 4271 §9.1.2.2), withdrawals, implicit withdraw,
/// peer flush, RFC 7606 treat-as-withdraw, and the sharing of prefixes and attribute sets.
@Suite("RIB")
struct RIBTests {
    static let localAS: UInt32 = 65002
    static let prefix = RIBPrefix(IPPrefix("10.0.1.0/24")!)!

    static func peer(_ last: UInt8, as asNumber: UInt32, routerID: UInt8? = nil) -> PeerInfo {
        PeerInfo(address: .v4(IPv4Address(10, 254, 0, last)), asNumber: asNumber,
                 routerID: IPv4Address(10, 255, 0, routerID ?? last), isExternal: asNumber != localAS)
    }

    static func attributes(path: [UInt32], origin: Origin = .igp, med: UInt32? = nil, localPref: UInt32? = nil,
                           hop: UInt8 = 1) -> PathAttributes {
        PathAttributes(origin: origin, asPath: ASPath(sequence: path), nextHop: .ipv4(IPv4Address(192, 0, 2, hop)),
                       med: med, localPref: localPref)
    }

    static func announce(_ attributes: PathAttributes, _ prefixes: [String] = ["10.0.1.0/24"]) -> UpdateMessage {
        UpdateMessage(attributes: attributes, nlri: prefixes.map { IPv4NLRI(IPPrefix($0)!)! })
    }

    /// Two peers send the same prefix; `winner` must be chosen whichever arrives first.
    func expectPreferred(_ a: (PeerInfo, PathAttributes), over b: (PeerInfo, PathAttributes),
                         sourceLocation: SourceLocation = #_sourceLocation) {
        for order in [true, false] {
            var rib = RIB(localAS: Self.localAS)
            let idA = rib.addPeer(a.0)
            let idB = rib.addPeer(b.0)
            let steps = order ? [(idA, a.1), (idB, b.1)] : [(idB, b.1), (idA, a.1)]
            for (id, attributes) in steps { rib.apply(Self.announce(attributes), from: id) }
            #expect(rib.best(Self.prefix)?.peer == idA, sourceLocation: sourceLocation)
            #expect(rib.paths(Self.prefix).map(\.peer) == [idA, idB], sourceLocation: sourceLocation)
        }
    }

    @Test func decisionOrder() {
        let p1 = Self.peer(1, as: 65001)
        let p2 = Self.peer(2, as: 65003)
        let i1 = Self.peer(3, as: Self.localAS)
        let i2 = Self.peer(4, as: Self.localAS)
        // a) highest LOCAL_PREF (iBGP), even over a shorter path
        expectPreferred((i1, Self.attributes(path: [65001, 65005], localPref: 200)),
                        over: (i2, Self.attributes(path: [65001], localPref: 100)))
        // b) shortest AS_PATH
        expectPreferred((p2, Self.attributes(path: [65003])), over: (p1, Self.attributes(path: [65001, 65009])))
        // an AS_SET counts as one
        expectPreferred((p2, PathAttributes(origin: .igp, asPath: ASPath(segments: [
            .init(type: .sequence, asNumbers: [65003]), .init(type: .set, asNumbers: [1, 2, 3])]))),
                        over: (p1, Self.attributes(path: [65001, 65009, 65010])))
        // c) lowest ORIGIN
        expectPreferred((p1, Self.attributes(path: [65001], origin: .egp)),
                        over: (p2, Self.attributes(path: [65003], origin: .incomplete)))
        // d) lowest MED among routes from the same neighbour AS
        let p1b = Self.peer(5, as: 65001)
        expectPreferred((p1b, Self.attributes(path: [65001], med: 10)), over: (p1, Self.attributes(path: [65001], med: 20)))
        // ...but not across neighbour ASes: router id decides, MED ignored
        expectPreferred((p1, Self.attributes(path: [65001], med: 500)), over: (p2, Self.attributes(path: [65003], med: 1)))
        // e) eBGP over iBGP
        expectPreferred((p2, Self.attributes(path: [65003])), over: (i1, Self.attributes(path: [65003])))
        // f) lowest BGP identifier
        expectPreferred((Self.peer(9, as: 65001, routerID: 1), Self.attributes(path: [65001])),
                        over: (Self.peer(8, as: 65001, routerID: 200), Self.attributes(path: [65001])))
        // g) lowest peer address when identifiers tie
        expectPreferred((Self.peer(6, as: 65001, routerID: 7), Self.attributes(path: [65001])),
                        over: (Self.peer(7, as: 65001, routerID: 7), Self.attributes(path: [65001])))
    }

    @Test func withdrawAndImplicitWithdraw() {
        var rib = RIB(localAS: Self.localAS)
        let a = rib.addPeer(Self.peer(1, as: 65001))
        let b = rib.addPeer(Self.peer(2, as: 65003))
        var changes: [BestPathChange] = []
        rib.apply(Self.announce(Self.attributes(path: [65001])), from: a, changes: &changes)
        rib.apply(Self.announce(Self.attributes(path: [65003, 1, 2])), from: b, changes: &changes)
        #expect(changes.count == 1)
        #expect(rib.best(Self.prefix)?.peer == a)
        // Implicit withdraw: a's longer replacement loses to b.
        changes = []
        let result = rib.apply(Self.announce(Self.attributes(path: [65001, 1, 2, 3])), from: a, changes: &changes)
        #expect(result.announced == 1)
        #expect(rib.pathCount == 2)
        #expect(changes == [BestPathChange(prefix: Self.prefix, best: rib.best(Self.prefix))])
        #expect(rib.best(Self.prefix)?.peer == b)
        #expect(rib.acceptedCount(a) == 1)
        // Withdraw b: a is best again; withdraw a: the prefix is gone.
        changes = []
        rib.apply(UpdateMessage(withdrawn: [IPv4NLRI(IPPrefix("10.0.1.0/24")!)!]), from: b, changes: &changes)
        #expect(changes.first?.best?.peer == a)
        changes = []
        rib.apply(UpdateMessage(withdrawn: [IPv4NLRI(IPPrefix("10.0.1.0/24")!)!]), from: a, changes: &changes)
        #expect(changes == [BestPathChange(prefix: Self.prefix, best: nil)])
        #expect(rib.prefixCount == 0)
        #expect(rib.attributeSetCount == 0)
        #expect(rib.acceptedCount(a) == 0)
    }

    @Test func treatAsWithdrawAndASLoop() throws {
        var rib = RIB(localAS: Self.localAS)
        let a = rib.addPeer(Self.peer(1, as: 65001))
        rib.apply(Self.announce(Self.attributes(path: [65001])), from: a)
        #expect(rib.prefixCount == 1)
        // An UPDATE with an invalid ORIGIN for the same prefix: RFC 7606 withdraws it.
        let bytes = WireBytes.update(attributes: WireBytes.attribute(0x40, 1, [9]) + WireBytes.asPath65001 + WireBytes.nextHop,
                                     nlri: WireBytes.nlri10_0_1)
        let update = try WireBytes.decodeUpdate(bytes)
        #expect(update.isTreatAsWithdraw)
        let result = rib.apply(update, from: a)
        #expect(result.rejected == 1 && result.withdrawn == 1)
        #expect(rib.prefixCount == 0)
        // Our own AS in the path: refused (RFC 4271 §9.1.2).
        rib.apply(Self.announce(Self.attributes(path: [65001, Self.localAS, 65009])), from: a)
        #expect(rib.prefixCount == 0)
    }

    @Test func peerFlushAndOriginatedRoutes() {
        var rib = RIB(localAS: Self.localAS)
        let a = rib.addPeer(Self.peer(1, as: 65001))
        let b = rib.addPeer(Self.peer(2, as: 65003))
        rib.apply(Self.announce(Self.attributes(path: [65001]), ["10.0.1.0/24", "10.0.2.0/24"]), from: a)
        rib.apply(Self.announce(Self.attributes(path: [65003, 7]), ["10.0.1.0/24"]), from: b)
        var changes: [BestPathChange] = []
        rib.originate(RIBPrefix(IPPrefix("10.0.2.0/24")!)!, attributes: PathAttributes(origin: .igp, communities: [Community("65002:100")!]),
                      changes: &changes)
        #expect(rib.best(RIBPrefix(IPPrefix("10.0.2.0/24")!)!)?.peer == .local)
        changes = []
        rib.flush(a, changes: &changes)
        #expect(changes.map(\.prefix.description) == ["10.0.1.0/24"])
        #expect(changes.first?.best?.peer == b)
        #expect(rib.adjRIBIn(a).isEmpty)
        #expect(rib.adjRIBIn(b).count == 1)
        #expect(rib.prefixCount == 2)
        #expect(rib.bestRoutes().map(\.peer) == [b, .local])
        #expect(rib.bestRoutes(inside: IPPrefix("10.0.2.0/23")!).map(\.prefix.description) == ["10.0.2.0/24"])
        var visited: [RIBPrefix] = []
        rib.forEachPath(from: b) { visited.append($0.prefix) }
        #expect(visited == [Self.prefix])
        changes = []
        rib.removePeer(b, changes: &changes)
        #expect(changes == [BestPathChange(prefix: Self.prefix, best: nil)])
        #expect(rib.peer(b) == nil)
        #expect(rib.prefixCount == 1)
    }

    @Test func repeatedReplacementLeaksNothing() {
        var rib = RIB(localAS: Self.localAS)
        let a = rib.addPeer(Self.peer(1, as: 65001))
        let prefixes = (0..<10_000).map { IPv4NLRI(address: 0x0A00_0000 | UInt32($0) << 8, length: 24)! }
        for round in 0..<6 {
            let attributes = Self.attributes(path: [65001], med: UInt32(round % 2))
            rib.apply(UpdateMessage(attributes: attributes, nlri: prefixes), from: a)
            #expect(rib.pathCount == 10_000)
            #expect(rib.attributeSetCount == 1)
        }
        #expect(rib.best(.v4(prefixes[0]))?.attributes.med == 1)
        rib.apply(UpdateMessage(withdrawn: prefixes), from: a)
        #expect(rib.pathCount == 0 && rib.prefixCount == 0 && rib.attributeSetCount == 0)
        // Freed path entries and attribute ids are reused.
        rib.apply(UpdateMessage(attributes: Self.attributes(path: [65001]), nlri: prefixes), from: a)
        #expect(rib.acceptedCount(a) == 10_000 && rib.attributeSetCount == 1)
    }

    @Test func originatingManyPrefixesAtOnce() {
        var rib = RIB(localAS: Self.localAS)
        let prefixes = (0..<2000).map { RIBPrefix.v4(IPv4NLRI(address: 0x0A00_0000 | UInt32($0) << 8, length: 24)!) }
            + [RIBPrefix(IPPrefix("2001:db8:7::/48")!)!]
        var changes: [BestPathChange] = []
        rib.originate(prefixes, attributes: PathAttributes(origin: .igp, communities: [Community("65002:100")!]), changes: &changes)
        #expect(changes.count == 2001)
        #expect(rib.prefixCount == 2001 && rib.attributeSetCount == 1)
        #expect(changes.allSatisfy { $0.best?.peer == .local })
    }

    @Test func ipv6RoutesKeepTheirMPNextHop() {
        var rib = RIB(localAS: Self.localAS)
        let a = rib.addPeer(Self.peer(1, as: 65001))
        let prefix = IPv6NLRI(IPPrefix("2001:db8:1::/48")!)!
        let hop = NextHop.ipv6(global: IPv6Address("2001:db8::1")!, linkLocal: IPv6Address("fe80::1"))
        rib.apply(UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001])),
                                mpReach: MPReachNLRI(family: .ipv6Unicast, nextHop: hop, prefixes: .ipv6([prefix]))), from: a)
        #expect(rib.best(.v6(prefix))?.attributes.nextHop == hop)
        rib.apply(UpdateMessage(mpUnreach: MPUnreachNLRI(family: .ipv6Unicast, prefixes: .ipv6([prefix]))), from: a)
        #expect(rib.prefixCount == 0)
    }

    @Test func prefixesFromThreePeersShareStorageAndAttributeSets() {
        var rib = RIB(localAS: Self.localAS)
        let peers = (1...3).map { rib.addPeer(Self.peer(UInt8($0), as: 65010 + UInt32($0))) }
        let prefixes = (0..<100_000).map { IPv4NLRI(address: 0x0A00_0000 | UInt32($0) << 8, length: 24)! }
        for (index, peer) in peers.enumerated() {
            let attributes = Self.attributes(path: [65011 + UInt32(index), 1, 2], hop: UInt8(index + 1))
            var start = 0
            while start < prefixes.count {
                rib.apply(UpdateMessage(attributes: attributes, nlri: Array(prefixes[start..<min(start + 1000, prefixes.count)])),
                          from: peer)
                start += 1000
            }
        }
        #expect(rib.prefixCount == 100_000)
        #expect(rib.pathCount == 300_000)
        // 300 UPDATEs, 3 distinct attribute sets.
        #expect(rib.attributeSetCount == 3)
        #expect(rib.best(.v4(prefixes[500]))?.peer == peers[0])
        var changes: [BestPathChange] = []
        rib.flush(peers[0], changes: &changes)
        #expect(changes.count == 100_000)
        #expect(changes.allSatisfy { $0.best?.peer == peers[1] })
        #expect(rib.attributeSetCount == 2)
        #expect(rib.pathCount == 200_000)
    }
}
