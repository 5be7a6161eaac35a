import NetworkCore

/// Adj-RIBs-In and the Loc-RIB of one speaker (RFC 4271 §3.2, §9), in one structure: every
/// prefix is stored once, with the chain of paths the peers sent for it, best first; each
/// path is a peer id and an interned attribute set. Adj-RIB-In of a peer = its paths;
/// Loc-RIB = the heads whose next hop is reachable (`setConnectedNetworks` for single-hop
/// eBGP peers, `setNextHopResolver` for the others). Import policy
/// (`ImportPolicy`) screens UPDATEs before they get here; the RIB adds the RFC's AS loop check.
public struct RIB: Sendable {
    public let localAS: UInt32
    private var peers: [PeerInfo?] = [nil]
    private var accepted: [Int] = [0]
    /// The IPv6 share of `accepted`, for per-family prefix limits.
    private var acceptedV6: [Int] = [0]
    private var attributeTable = AttributeTable()
    private var ipv4 = PrefixTable<IPv4NLRI>()
    private var ipv6 = PrefixTable<IPv6NLRI>()

    public init(localAS: UInt32) { self.localAS = localAS }

    // MARK: Peers

    /// Registers a peer; its id stays valid until `removePeer`.
    public mutating func addPeer(_ info: PeerInfo) -> PeerID {
        if let free = peers.indices.dropFirst().first(where: { peers[$0] == nil }) {
            peers[free] = info
            accepted[free] = 0
            acceptedV6[free] = 0
            return PeerID(rawValue: UInt32(free))
        }
        peers.append(info)
        accepted.append(0)
        acceptedV6.append(0)
        return PeerID(rawValue: UInt32(peers.count - 1))
    }

    public func peer(_ id: PeerID) -> PeerInfo? {
        Int(id.rawValue) < peers.count ? peers[Int(id.rawValue)] : nil
    }

    /// Updates what the decision process knows of a peer (its OPEN's BGP identifier, say).
    /// Chains already stored keep their order until their prefixes change again, so call it
    /// before the session's routes arrive.
    public mutating func updatePeer(_ id: PeerID, _ info: PeerInfo) {
        guard peer(id) != nil else { return }
        peers[Int(id.rawValue)] = info
    }

    /// Flushes the peer's routes (session down) and forgets it.
    public mutating func removePeer(_ id: PeerID, changes: inout [BestPathChange]) {
        flush(id, changes: &changes)
        guard id != .local, peer(id) != nil else { return }
        peers[Int(id.rawValue)] = nil
    }

    /// Withdraws every route of `peer`, keeping the peer registered (session down, or the
    /// end of a graceful-restart window).
    public mutating func flush(_ id: PeerID, changes: inout [BestPathChange]) {
        let peerIndex = id.rawValue
        var released: [UInt32] = []
        var changedV4: [IPv4NLRI] = []
        var changedV6: [IPv6NLRI] = []
        let decision4: PrefixTable<IPv4NLRI>.Decision = decision(), decision6: PrefixTable<IPv6NLRI>.Decision = decision()
        ipv4.removeAll(peer: peerIndex, decision: decision4) { key, attributes, bestChanged in
            released.append(attributes)
            if bestChanged { changedV4.append(key) }
        }
        ipv6.removeAll(peer: peerIndex, decision: decision6) { key, attributes, bestChanged in
            released.append(attributes)
            if bestChanged { changedV6.append(key) }
        }
        for attributes in released { attributeTable.release(attributes) }
        if Int(peerIndex) < accepted.count {
            accepted[Int(peerIndex)] = 0
            acceptedV6[Int(peerIndex)] = 0
        }
        for key in changedV4 { changes.append(change(.v4(key))) }
        for key in changedV6 { changes.append(change(.v6(key))) }
    }

    /// Prefixes from `peer` now in its Adj-RIB-In (for max-prefix and `bgp peers`).
    public func acceptedCount(_ id: PeerID) -> Int {
        Int(id.rawValue) < accepted.count ? accepted[Int(id.rawValue)] : 0
    }

    /// Prefixes of one family from `peer` now in its Adj-RIB-In.
    public func acceptedCount(_ id: PeerID, family: AddressFamily) -> Int {
        guard Int(id.rawValue) < accepted.count else { return 0 }
        let v6 = acceptedV6[Int(id.rawValue)]
        return family == .ipv6Unicast ? v6 : family == .ipv4Unicast ? accepted[Int(id.rawValue)] - v6 : 0
    }

    /// Whether `peer` has a path for `prefix` (an announcement of it replaces, not adds).
    public func hasPath(_ prefix: RIBPrefix, from peer: PeerID) -> Bool {
        switch prefix {
        case .v4(let p): ipv4.chain(p).contains { $0.peer == peer.rawValue }
        case .v6(let p): ipv6.chain(p).contains { $0.peer == peer.rawValue }
        }
    }

    // MARK: Next hops

    /// The networks single-hop eBGP peers' next hops must be on (nil: not checked, every
    /// next hop reachable). Paths whose next hop leaves them stay in the Adj-RIB-In but
    /// are not selected; those whose next hop comes back are selected again. Best-path
    /// changes are appended to `changes`.
    public mutating func setConnectedNetworks(_ networks: ConnectedNetworks?, changes: inout [BestPathChange]) {
        guard networks != attributeTable.connected else { return }
        let before = attributeTable.setConnected(networks)
        redecide(before, peers: { $0.needsConnectedNextHop }, changes: &changes)
    }

    /// Resolves iBGP and multihop eBGP peers' next hops through `resolver`'s table from now
    /// on (nil: not resolved, every next hop reachable). Give it with no next hop tracked.
    public mutating func setNextHopResolver(_ resolver: NextHopResolver?, changes: inout [BestPathChange]) {
        let before = attributeTable.setResolver(resolver)
        redecide(before, peers: { $0.resolvesNextHop }, changes: &changes)
    }

    /// Changes the resolver's table (`NextHopResolver.replaceRoutes` or `apply`, which return
    /// the next hops that resolve differently); only the prefixes with a path through those
    /// next hops are decided again. Reported: best paths that changed, and best paths whose
    /// next hop now resolves through another gateway (their kernel route moves).
    public mutating func updateResolvingRoutes(changes: inout [BestPathChange],
                                               _ body: (inout NextHopResolver) -> Set<IPAddress>) {
        let before = attributeTable.updateResolver(body)
        redecide(before, peers: { $0.resolvesNextHop }, changes: &changes)
    }

    /// The resolution of a resolving peer's next hop (nil: unresolved, or nothing resolved).
    public func resolution(of nextHop: NextHop) -> NextHopResolution? {
        AttributeTable.resolvedAddress(nextHop).flatMap { attributeTable.resolver?.resolution(of: $0) }
    }

    /// Whether next hops are resolved through the host's table (`setNextHopResolver`).
    public var resolvesNextHops: Bool { attributeTable.resolver != nil }

    /// Decides again the prefixes with a path of a peer `peers` selects through a set in
    /// `before` (the sets whose rank changed, with their rank before).
    private mutating func redecide(_ before: [UInt32: DecisionRank], peers select: (PeerInfo) -> Bool,
                                   changes: inout [BestPathChange]) {
        guard !before.isEmpty else { return }
        let selected = peers.map { $0.map(select) ?? false }
        let process = DecisionProcess(peers: peers), ranks = attributeTable.ranks
        let affected: (UInt32, UInt32) -> Bool = { peer, attributes in
            selected[Int(peer)] && before[attributes] != nil
        }
        let wasEligible: (UInt32, UInt32) -> Bool = { peer, attributes in
            process.eligible(peer, before[attributes] ?? ranks[Int(attributes)])
        }
        let decision4: PrefixTable<IPv4NLRI>.Decision = decision(), decision6: PrefixTable<IPv6NLRI>.Decision = decision()
        var changedV4: [(IPv4NLRI, PrefixTable<IPv4NLRI>.Path?)] = []
        var changedV6: [(IPv6NLRI, PrefixTable<IPv6NLRI>.Path?)] = []
        ipv4.redecide(affected: { affected($0.peer, $0.attributes) }, wasEligible: { wasEligible($0.peer, $0.attributes) },
                      decision: decision4) { changedV4.append(($0, $1)) }
        ipv6.redecide(affected: { affected($0.peer, $0.attributes) }, wasEligible: { wasEligible($0.peer, $0.attributes) },
                      decision: decision6) { changedV6.append(($0, $1)) }
        for (key, best) in changedV4 { changes.append(change(.v4(key), best)) }
        for (key, best) in changedV6 { changes.append(change(.v6(key), best)) }
    }

    /// Why a path cannot be selected although it is in its peer's Adj-RIB-In.
    public enum NextHopProblem: Hashable, Sendable {
        /// A single-hop eBGP peer's next hop on no connected network.
        case notConnected
        /// An iBGP or multihop eBGP peer's next hop the host's table does not resolve.
        case unresolved
    }

    /// Visits the paths that cannot be selected because their next hop is unreachable, with
    /// the reason, for `bgp routes --rejected`.
    public func forEachUnreachable(_ body: (RIBRoute, NextHopProblem) -> Void) {
        for (index, info) in peers.enumerated() {
            guard let info, info.needsConnectedNextHop || info.resolvesNextHop else { continue }
            forEachPath(from: PeerID(rawValue: UInt32(index))) { route in
                if info.needsConnectedNextHop, !DecisionRank.isConnected(route.attributes.nextHop, attributeTable.connected) {
                    body(route, .notConnected)
                } else if info.resolvesNextHop, !isResolved(route.attributes.nextHop) {
                    body(route, .unresolved)
                }
            }
        }
    }

    private func isResolved(_ nextHop: NextHop?) -> Bool {
        guard let resolver = attributeTable.resolver, let nextHop else { return true }
        if case .other = nextHop { return false }
        return AttributeTable.resolvedAddress(nextHop).map { resolver.resolution(of: $0) != nil } ?? true
    }

    /// The networks next hops are checked against (nil: not checked).
    public var connectedNetworks: ConnectedNetworks? { attributeTable.connected }

    /// Whether this path may be the best: ours, or its next hop is reachable for its peer.
    private func isEligible(_ peer: UInt32, _ attributes: UInt32) -> Bool {
        DecisionProcess(peers: peers).eligible(peer, attributeTable.ranks[Int(attributes)])
    }

    // MARK: Updates

    /// What one UPDATE did.
    public struct UpdateResult: Hashable, Sendable {
        public var announced = 0
        public var withdrawn = 0
        /// Announcements refused: AS_PATH loop, or the whole UPDATE treated as withdraw.
        public var rejected = 0
        public var bestChanged = 0
    }

    /// Applies a decoded UPDATE from `peer`: withdrawals, then announcements (each an
    /// implicit withdraw of the peer's previous path). A treat-as-withdraw UPDATE (RFC 7606)
    /// withdraws its announced prefixes too. Best-path changes are appended to `changes`.
    @discardableResult
    public mutating func apply(_ update: UpdateMessage, from peer: PeerID,
                               changes: inout [BestPathChange]) -> UpdateResult {
        apply(update, from: peer, changes: &changes, track: true)
    }

    private mutating func apply(_ update: UpdateMessage, from peer: PeerID,
                                changes: inout [BestPathChange], track: Bool) -> UpdateResult {
        var result = UpdateResult()
        guard peer == .local || self.peer(peer) != nil else { return result }
        withdraw(update.withdrawn, from: peer, result: &result, changes: &changes, track: track)
        if case .ipv4(let list)? = update.mpUnreach?.prefixes {
            withdraw(list, from: peer, result: &result, changes: &changes, track: track)
        }
        if case .ipv6(let list)? = update.mpUnreach?.prefixes {
            withdraw(list, from: peer, result: &result, changes: &changes, track: track)
        }
        let loops = peer != .local && update.attributes.asPath.contains(localAS)
        let refuse = update.isTreatAsWithdraw || loops
        var mpAttributes = update.attributes
        mpAttributes.nextHop = update.mpReach?.nextHop
        switch update.mpReach?.prefixes {
        case .ipv4(let list)?:
            refuse ? rejectAll(list, from: peer, result: &result, changes: &changes, track: track)
                : announce(list, attributes: mpAttributes, from: peer, result: &result, changes: &changes, track: track)
        case .ipv6(let list)?:
            refuse ? rejectAll(list, from: peer, result: &result, changes: &changes, track: track)
                : announce(list, attributes: mpAttributes, from: peer, result: &result, changes: &changes, track: track)
        case .other?, nil:
            break
        }
        refuse ? rejectAll(update.nlri, from: peer, result: &result, changes: &changes, track: track)
            : announce(update.nlri, attributes: update.attributes, from: peer, result: &result, changes: &changes, track: track)
        return result
    }

    /// `apply` for callers that do not export: best-path changes are counted, not collected.
    @discardableResult
    public mutating func apply(_ update: UpdateMessage, from peer: PeerID) -> UpdateResult {
        var ignored: [BestPathChange] = []
        return apply(update, from: peer, changes: &ignored, track: false)
    }

    /// Adds a route the speaker originates (Loc-RIB source `PeerID.local`).
    public mutating func originate(_ prefix: RIBPrefix, attributes: PathAttributes,
                                   changes: inout [BestPathChange]) {
        var result = UpdateResult()
        switch prefix {
        case .v4(let p): announce(CollectionOfOne(p), attributes: attributes, from: .local, result: &result, changes: &changes, track: true)
        case .v6(let p): announce(CollectionOfOne(p), attributes: attributes, from: .local, result: &result, changes: &changes, track: true)
        }
    }

    /// Originates many prefixes sharing one attribute set in one pass (the attribute set is
    /// interned once, as for a received UPDATE).
    public mutating func originate(_ prefixes: [RIBPrefix], attributes: PathAttributes,
                                   changes: inout [BestPathChange]) {
        var result = UpdateResult()
        let v4 = prefixes.compactMap { if case .v4(let p) = $0 { p } else { nil } }
        let v6 = prefixes.compactMap { if case .v6(let p) = $0 { p } else { nil } }
        announce(v4, attributes: attributes, from: .local, result: &result, changes: &changes, track: true)
        announce(v6, attributes: attributes, from: .local, result: &result, changes: &changes, track: true)
    }

    public mutating func withdrawOriginated(_ prefix: RIBPrefix, changes: inout [BestPathChange]) {
        var result = UpdateResult()
        switch prefix {
        case .v4(let p): withdraw(CollectionOfOne(p), from: .local, result: &result, changes: &changes, track: true)
        case .v6(let p): withdraw(CollectionOfOne(p), from: .local, result: &result, changes: &changes, track: true)
        }
    }

    private mutating func announce<C: Collection>(_ prefixes: C, attributes: PathAttributes, from peer: PeerID,
                                                  result: inout UpdateResult, changes: inout [BestPathChange], track: Bool)
    where C.Element: RIBKey {
        guard !prefixes.isEmpty else { return }
        let id = attributeTable.intern(attributes, references: prefixes.count)
        let order: PrefixTable<C.Element>.Decision = decision()
        var added = 0
        for prefix in prefixes {
            guard let outcome = C.Element.withTable(&self, { $0.insert(prefix, peer: peer.rawValue, attributes: id, decision: order) })
            else {
                attributeTable.release(id)
                result.rejected += 1
                continue
            }
            if let old = outcome.replaced { attributeTable.release(old) } else { added += 1 }
            if outcome.bestChanged {
                result.bestChanged += 1
                if track { changes.append(change(prefix.ribPrefix, outcome.best)) }
            }
        }
        accepted[Int(peer.rawValue)] += added
        if C.Element.self == IPv6NLRI.self { acceptedV6[Int(peer.rawValue)] += added }
        result.announced += prefixes.count
    }

    private mutating func withdraw<C: Collection>(_ prefixes: C, from peer: PeerID,
                                                  result: inout UpdateResult, changes: inout [BestPathChange], track: Bool)
    where C.Element: RIBKey {
        let order: PrefixTable<C.Element>.Decision = decision()
        for prefix in prefixes {
            let outcome = C.Element.withTable(&self) { $0.remove(prefix, peer: peer.rawValue, decision: order) }
            guard let old = outcome.replaced else { continue }
            attributeTable.release(old)
            accepted[Int(peer.rawValue)] -= 1
            if C.Element.self == IPv6NLRI.self { acceptedV6[Int(peer.rawValue)] -= 1 }
            result.withdrawn += 1
            if outcome.bestChanged {
                result.bestChanged += 1
                if track { changes.append(change(prefix.ribPrefix, outcome.best)) }
            }
        }
    }

    /// Refused announcements still withdraw what the peer had sent for those prefixes.
    private mutating func rejectAll<C: Collection>(_ prefixes: C, from peer: PeerID,
                                                   result: inout UpdateResult, changes: inout [BestPathChange], track: Bool)
    where C.Element: RIBKey {
        withdraw(prefixes, from: peer, result: &result, changes: &changes, track: track)
        result.rejected += prefixes.count
    }

    /// The decision process over the current peers and attribute ranks, for one table walk.
    private func decision<Key>() -> PrefixTable<Key>.Decision {
        let process = DecisionProcess(peers: peers)
        let ranks = attributeTable.ranks
        return PrefixTable<Key>.Decision(
            eligible: { process.eligible($0.peer, ranks[Int($0.attributes)]) },
            before: { a, b in process.prefers(a.peer, ranks[Int(a.attributes)], over: b.peer, ranks[Int(b.attributes)]) },
            beatsWithinAS: { a, b in process.beatsWithinAS(a.peer, ranks[Int(a.attributes)], b.peer, ranks[Int(b.attributes)]) })
    }

    private func change(_ prefix: RIBPrefix) -> BestPathChange {
        BestPathChange(prefix: prefix, best: best(prefix))
    }

    /// The change report from the path the table already has at hand (no second lookup).
    private func change<Key>(_ prefix: RIBPrefix, _ best: PrefixTable<Key>.Path?) -> BestPathChange {
        BestPathChange(prefix: prefix, best: best.map { route(prefix, peer: $0.peer, attributes: $0.attributes, isBest: true) })
    }

    fileprivate mutating func withIPv4<T>(_ body: (inout PrefixTable<IPv4NLRI>) -> T) -> T { body(&ipv4) }
    fileprivate mutating func withIPv6<T>(_ body: (inout PrefixTable<IPv6NLRI>) -> T) -> T { body(&ipv6) }

    // MARK: Lookups

    /// The Loc-RIB's route for `prefix`.
    public func best(_ prefix: RIBPrefix) -> RIBRoute? {
        let path: (peer: UInt32, attributes: UInt32)?
        switch prefix {
        case .v4(let p): path = ipv4.head(p).map { ($0.peer, $0.attributes) }
        case .v6(let p): path = ipv6.head(p).map { ($0.peer, $0.attributes) }
        }
        guard let path, isEligible(path.peer, path.attributes) else { return nil }
        return route(prefix, peer: path.peer, attributes: path.attributes, isBest: true)
    }

    /// Every path for `prefix`, best first (the first is not the best when its next hop is
    /// unreachable).
    public func paths(_ prefix: RIBPrefix) -> [RIBRoute] {
        let chain: [(UInt32, UInt32)]
        switch prefix {
        case .v4(let p): chain = ipv4.chain(p).map { ($0.peer, $0.attributes) }
        case .v6(let p): chain = ipv6.chain(p).map { ($0.peer, $0.attributes) }
        }
        return chain.enumerated().map {
            route(prefix, peer: $1.0, attributes: $1.1, isBest: $0 == 0 && isEligible($1.0, $1.1))
        }
    }

    /// The Loc-RIB, sorted by prefix; only the routes inside `covering` when given. Builds
    /// one `RIBRoute` per prefix: for a full table prefer `forEachBest`.
    public func bestRoutes(inside covering: IPPrefix? = nil) -> [RIBRoute] {
        var result: [RIBRoute] = []
        forEachBest(inside: covering) { result.append($0) }
        return result.sorted { $0.prefix < $1.prefix }
    }

    /// Visits the Loc-RIB in table order (unsorted) without building an array.
    public func forEachBest(inside covering: IPPrefix? = nil, _ body: (RIBRoute) -> Void) {
        let process = DecisionProcess(peers: peers), ranks = attributeTable.ranks
        ipv4.forEachHead { key, path in
            guard process.eligible(path.peer, ranks[Int(path.attributes)]),
                  covering?.contains(key.prefix) ?? true else { return }
            body(route(.v4(key), peer: path.peer, attributes: path.attributes, isBest: true))
        }
        ipv6.forEachHead { key, path in
            guard process.eligible(path.peer, ranks[Int(path.attributes)]),
                  covering?.contains(key.prefix) ?? true else { return }
            body(route(.v6(key), peer: path.peer, attributes: path.attributes, isBest: true))
        }
    }

    /// The Adj-RIB-In of `peer`, sorted by prefix.
    public func adjRIBIn(_ peer: PeerID) -> [RIBRoute] {
        var result: [RIBRoute] = []
        forEachPath(from: peer) { result.append($0) }
        return result.sorted { $0.prefix < $1.prefix }
    }

    /// Visits the Adj-RIB-In of `peer` in table order (unsorted) without building an array.
    public func forEachPath(from peer: PeerID, _ body: (RIBRoute) -> Void) {
        ipv4.forEachPath(of: peer.rawValue) { key, attributes, isHead in
            body(route(.v4(key), peer: peer, attributes: attributes, isBest: isHead && isEligible(peer.rawValue, attributes)))
        }
        ipv6.forEachPath(of: peer.rawValue) { key, attributes, isHead in
            body(route(.v6(key), peer: peer, attributes: attributes, isBest: isHead && isEligible(peer.rawValue, attributes)))
        }
    }

    private func route(_ prefix: RIBPrefix, peer: UInt32, attributes: UInt32, isBest: Bool) -> RIBRoute {
        route(prefix, peer: PeerID(rawValue: peer), attributes: attributes, isBest: isBest)
    }

    private func route(_ prefix: RIBPrefix, peer: PeerID, attributes: UInt32, isBest: Bool) -> RIBRoute {
        RIBRoute(prefix: prefix, peer: peer, attributes: attributeTable[attributes], isBest: isBest)
    }

    /// Prefixes with at least one path (the Loc-RIB, plus those whose paths all have an
    /// unreachable next hop).
    public var prefixCount: Int { ipv4.prefixCount + ipv6.prefixCount }
    /// Paths across all Adj-RIBs-In.
    public var pathCount: Int { ipv4.pathCount + ipv6.pathCount }
    /// Distinct attribute sets stored.
    public var attributeSetCount: Int { attributeTable.count }
}

/// The two key types, each knowing its table inside the RIB, so the update paths are
/// written once.
protocol RIBKey: PrefixMapKey, Hashable {
    var ribPrefix: RIBPrefix { get }
    static func withTable<T>(_ rib: inout RIB, _ body: (inout PrefixTable<Self>) -> T) -> T
}

extension IPv4NLRI: RIBKey {
    var ribPrefix: RIBPrefix { .v4(self) }
    static func withTable<T>(_ rib: inout RIB, _ body: (inout PrefixTable<IPv4NLRI>) -> T) -> T { rib.withIPv4(body) }
}

extension IPv6NLRI: RIBKey {
    var ribPrefix: RIBPrefix { .v6(self) }
    static func withTable<T>(_ rib: inout RIB, _ body: (inout PrefixTable<IPv6NLRI>) -> T) -> T { rib.withIPv6(body) }
}
