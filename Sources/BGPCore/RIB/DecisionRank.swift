/// The attribute facts the decision process compares, computed once per attribute set.
struct DecisionRank: Sendable {
    /// LOCAL_PREF, 100 when absent (the default an import policy would assign).
    var localPref: UInt32
    var asPathLength: Int
    var origin: UInt8
    /// MULTI_EXIT_DISC, 0 when absent (RFC 4271 §9.1.2.2 c).
    var med: UInt32
    /// The neighbouring AS, for comparing MEDs; 0 for an empty path (our own AS).
    var neighborAS: UInt32

    static let defaultLocalPref: UInt32 = 100

    init(_ attributes: PathAttributes) {
        localPref = attributes.localPref ?? Self.defaultLocalPref
        asPathLength = attributes.asPath.length
        origin = attributes.origin?.rawValue ?? Origin.incomplete.rawValue
        med = attributes.med ?? 0
        neighborAS = attributes.asPath.firstAS ?? 0
    }
}

/// The tie-breaking order of RFC 4271 §9.1.2.2 (phase 2), for two paths of one prefix.
/// Omitted: the IGP cost to the next hop (d) — every next hop is taken as directly
/// reachable, there is no IGP here — and next-hop resolvability (§9.1.2.1). Added in front:
/// routes we originate win over learned ones, as BIRD's static preference and Cisco's weight do.
struct DecisionProcess {
    let peers: [PeerInfo?]

    /// True when the path (peerA, rankA) is preferred to (peerB, rankB).
    func prefers(_ peerA: UInt32, _ a: DecisionRank, over peerB: UInt32, _ b: DecisionRank) -> Bool {
        if (peerA == 0) != (peerB == 0) { return peerA == 0 }
        if a.localPref != b.localPref { return a.localPref > b.localPref }
        if a.asPathLength != b.asPathLength { return a.asPathLength < b.asPathLength }
        if a.origin != b.origin { return a.origin < b.origin }
        if a.neighborAS == b.neighborAS, a.med != b.med { return a.med < b.med }
        guard let infoA = peers[Int(peerA)], let infoB = peers[Int(peerB)] else { return peerA < peerB }
        if infoA.isExternal != infoB.isExternal { return infoA.isExternal }
        if infoA.routerID != infoB.routerID { return infoA.routerID < infoB.routerID }
        if infoA.address != infoB.address { return infoA.address < infoB.address }
        return peerA < peerB
    }
}
