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
    /// The next hop is on a connected network (or nothing is checked).
    var nextHopConnected: Bool
    /// The next hop resolves through the host's table (or nothing is resolved).
    var nextHopResolved: Bool
    /// RFC 4271 §9.1.2.2 (e): the metric of the route the next hop resolves through.
    var interiorCost: UInt32

    static let defaultLocalPref: UInt32 = 100

    init(_ attributes: PathAttributes, connected: ConnectedNetworks?, resolution: NextHopVerdict) {
        nextHopConnected = Self.isConnected(attributes.nextHop, connected)
        nextHopResolved = resolution.resolved
        interiorCost = resolution.cost
        localPref = attributes.localPref ?? Self.defaultLocalPref
        asPathLength = attributes.asPath.length
        origin = attributes.origin?.rawValue ?? Origin.incomplete.rawValue
        med = attributes.med ?? 0
        neighborAS = attributes.asPath.firstAS ?? 0
    }

    /// No next hop (an originated route's set) counts as connected.
    static func isConnected(_ nextHop: NextHop?, _ connected: ConnectedNetworks?) -> Bool {
        guard let connected, let nextHop else { return true }
        return connected.reaches(nextHop)
    }
}

/// Whether a next hop resolves through the host's table, and at what interior cost.
struct NextHopVerdict: Hashable, Sendable {
    var resolved: Bool
    var cost: UInt32

    /// Nothing to resolve: no next hop, no resolver, or on the session's link.
    static let unchecked = NextHopVerdict(resolved: true, cost: 0)
}

/// The tie-breaking order of RFC 4271 §9.1.2.2 (phase 2), for two paths of one prefix.
/// Next-hop resolvability (§9.1.2.1) comes before the order: a path whose next hop is
/// unreachable (`eligible`) is never the best; for a single-hop eBGP peer that means not on
/// a connected network, for an iBGP or multihop eBGP peer not resolved through the host's
/// table (`NextHopResolver`), whose route's metric is then the interior cost (e). Added in
/// front: routes we originate win over learned ones, as BIRD's static preference and
/// Cisco's weight do.
///
/// MED (c) compares only paths from one neighbouring AS, which makes the RFC's rule no order
/// at all (A < B by MED, B < C by router id, C < A by router id): the winner would depend on
/// arrival order. So, as FRR's deterministic-med and BIRD's `deterministic med` do, paths are
/// ordered without MED (a total order), the best of each neighbouring AS is found with MED,
/// and the first of those bests wins: the same result whatever order the paths came in.
struct DecisionProcess {
    let peers: [PeerInfo?]

    /// The path may be selected: ours, or its next hop is reachable for its peer.
    func eligible(_ peer: UInt32, _ rank: DecisionRank) -> Bool {
        if peer == 0 || (rank.nextHopConnected && rank.nextHopResolved) { return true }
        guard let info = peers[Int(peer)] else { return true }
        return (rank.nextHopConnected || !info.needsConnectedNextHop) && (rank.nextHopResolved || !info.resolvesNextHop)
    }

    /// True when (peerA, rankA) comes before (peerB, rankB) in the order without MED.
    func prefers(_ peerA: UInt32, _ a: DecisionRank, over peerB: UInt32, _ b: DecisionRank) -> Bool {
        compare(peerA, a, peerB, b, med: false)
    }

    /// Both from one neighbouring AS, and A wins with MED taken into account.
    func beatsWithinAS(_ peerA: UInt32, _ a: DecisionRank, _ peerB: UInt32, _ b: DecisionRank) -> Bool {
        a.neighborAS == b.neighborAS && compare(peerA, a, peerB, b, med: true)
    }

    private func compare(_ peerA: UInt32, _ a: DecisionRank, _ peerB: UInt32, _ b: DecisionRank, med: Bool) -> Bool {
        if (peerA == 0) != (peerB == 0) { return peerA == 0 }
        if a.localPref != b.localPref { return a.localPref > b.localPref }
        if a.asPathLength != b.asPathLength { return a.asPathLength < b.asPathLength }
        if a.origin != b.origin { return a.origin < b.origin }
        if med, a.med != b.med { return a.med < b.med }
        guard let infoA = peers[Int(peerA)], let infoB = peers[Int(peerB)] else { return peerA < peerB }
        if infoA.isExternal != infoB.isExternal { return infoA.isExternal }
        let costA = infoA.resolvesNextHop ? a.interiorCost : 0, costB = infoB.resolvesNextHop ? b.interiorCost : 0
        if costA != costB { return costA < costB }
        if infoA.routerID != infoB.routerID { return infoA.routerID < infoB.routerID }
        if infoA.address != infoB.address { return infoA.address < infoB.address }
        return peerA < peerB
    }
}
