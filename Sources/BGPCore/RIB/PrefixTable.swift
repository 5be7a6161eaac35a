/// The routes of one address family: each prefix once, keyed in a hash table, pointing at a
/// chain of paths (one per peer that sent it) kept in decision order, so the head is the
/// Loc-RIB's best path (when it is eligible: its next hop reachable) and the whole chain is
/// the Adj-RIBs-In for that prefix. Paths live in
/// one flat array of 12-octet entries, reused through a free list: no allocation per prefix.
struct PrefixTable<Key: PrefixMapKey>: Sendable {
    struct Path: Sendable {
        var peer: UInt32
        var attributes: UInt32
        var next: UInt32
    }

    static var end: UInt32 { .max }

    private var heads = PrefixMap<Key>()
    private var paths: [Path] = []
    private var freeList: UInt32 = .max
    private(set) var pathCount = 0

    var prefixCount: Int { heads.count }

    private mutating func allocate(_ path: Path) -> UInt32 {
        pathCount += 1
        if freeList != Self.end {
            let index = freeList
            freeList = paths[Int(index)].next
            paths[Int(index)] = path
            return index
        }
        paths.append(path)
        return UInt32(paths.count - 1)
    }

    private mutating func free(_ index: UInt32) {
        pathCount -= 1
        paths[Int(index)].next = freeList
        freeList = index
    }

    /// How paths of one prefix are ranked (`DecisionProcess`): `eligible` says whether a
    /// path may be selected at all (its next hop is reachable), `before` is a total order
    /// without MED, `beatsWithinAS` the comparison with MED of two paths from one
    /// neighbouring AS.
    struct Decision {
        var eligible: (_ path: Path) -> Bool
        var before: (_ a: Path, _ b: Path) -> Bool
        var beatsWithinAS: (_ a: Path, _ b: Path) -> Bool

        /// The chain's head when it may be selected: the Loc-RIB's path.
        func best(_ head: Path?) -> Path? {
            head.flatMap { eligible($0) ? $0 : nil }
        }

        func differ(_ a: Path?, _ b: Path?) -> Bool {
            a?.peer != b?.peer || a?.attributes != b?.attributes
        }
    }

    /// Relinks a chain of two or more paths: the best first (the first, by `before`, of the
    /// eligible paths no other eligible path of their neighbouring AS beats), then the other
    /// eligible paths by `before`, the ineligible ones last. Depends only on the set of
    /// paths, never on the order they arrived in.
    private mutating func reorder(head: inout UInt32, decision: Decision) {
        guard head != Self.end, paths[Int(head)].next != Self.end else { return }
        var members: [UInt32] = []
        var cursor = head
        while cursor != Self.end {
            members.append(cursor)
            cursor = paths[Int(cursor)].next
        }
        members.sort { a, b in
            let eligibleA = decision.eligible(paths[Int(a)]), eligibleB = decision.eligible(paths[Int(b)])
            return eligibleA != eligibleB ? eligibleA : decision.before(paths[Int(a)], paths[Int(b)])
        }
        let candidates = members.prefix { decision.eligible(paths[Int($0)]) }
        let best = candidates.firstIndex { candidate in
            !candidates.contains { decision.beatsWithinAS(paths[Int($0)], paths[Int(candidate)]) }
        } ?? 0
        members.insert(members.remove(at: best), at: 0)
        for (index, member) in members.enumerated() {
            paths[Int(member)].next = index + 1 < members.count ? members[index + 1] : Self.end
        }
        head = members[0]
    }

    /// The outcome of an insert or remove, for counters and change notification.
    struct Outcome: Sendable {
        /// The attribute set of the path this peer had before, which the caller releases.
        var replaced: UInt32?
        var bestChanged: Bool
        /// The prefix's best path afterwards (nil: the prefix is gone or has no eligible
        /// path), for change reports.
        var best: Path?
    }

    /// Adds or replaces (implicit withdraw) `peer`'s path for `key`, placing it by `decision`.
    /// Nil when the table holds as many paths as its map can index (2^26 for IPv4: about 67
    /// million, far beyond any max-prefix setting).
    mutating func insert(_ key: Key, peer: UInt32, attributes: UInt32, decision: Decision) -> Outcome? {
        guard freeList != Self.end || paths.count < Int(Key.valueLimit) - 1 else { return nil }
        let new = Path(peer: peer, attributes: attributes, next: Self.end)
        guard let slot = heads.slot(of: key) else {
            heads.insertNew(key, allocate(new))
            let best = decision.best(new)
            return Outcome(replaced: nil, bestChanged: best != nil, best: best)
        }
        var head = heads.value(at: slot)
        let oldBest = decision.best(paths[Int(head)])
        let replaced = unlink(peer: peer, head: &head)
        var entry = new
        entry.next = head
        head = allocate(entry)
        reorder(head: &head, decision: decision)
        heads.setValue(head, at: slot)
        let best = decision.best(paths[Int(head)])
        return Outcome(replaced: replaced, bestChanged: decision.differ(best, oldBest), best: best)
    }

    /// Removes `peer`'s path for `key`, if any.
    mutating func remove(_ key: Key, peer: UInt32, decision: Decision) -> Outcome {
        guard let slot = heads.slot(of: key) else { return Outcome(replaced: nil, bestChanged: false, best: nil) }
        var head = heads.value(at: slot)
        let oldBest = decision.best(paths[Int(head)])
        guard let replaced = unlink(peer: peer, head: &head) else {
            return Outcome(replaced: nil, bestChanged: false, best: oldBest)
        }
        if head == Self.end {
            heads.remove(at: slot)
            return Outcome(replaced: replaced, bestChanged: oldBest != nil, best: nil)
        }
        // Losing a path can change which of the others wins (a MED it won by).
        reorder(head: &head, decision: decision)
        heads.setValue(head, at: slot)
        let best = decision.best(paths[Int(head)])
        return Outcome(replaced: replaced, bestChanged: decision.differ(best, oldBest), best: best)
    }

    /// Unlinks and frees `peer`'s path from the chain starting at `head`; its attribute id.
    private mutating func unlink(peer: UInt32, head: inout UInt32) -> UInt32? {
        var previous = Self.end
        var cursor = head
        while cursor != Self.end {
            let path = paths[Int(cursor)]
            if path.peer == peer {
                if previous == Self.end { head = path.next } else { paths[Int(previous)].next = path.next }
                free(cursor)
                return path.attributes
            }
            previous = cursor
            cursor = path.next
        }
        return nil
    }

    /// Removes every path of `peer` (session down); calls `removed` with each prefix, the
    /// freed attribute id, and whether the best path changed.
    mutating func removeAll(peer: UInt32, decision: Decision, removed: (Key, UInt32, Bool) -> Void) {
        // Emptied prefixes are removed after the walk: removal shifts entries between slots.
        var emptied: [Key] = []
        for slot in 0..<heads.capacity where heads.isOccupied(slot) {
            var head = heads.value(at: slot)
            let oldBest = decision.best(paths[Int(head)])
            if let attributes = unlink(peer: peer, head: &head) {
                reorder(head: &head, decision: decision)
                heads.setValue(head, at: slot)
                if head == Self.end { emptied.append(heads.key(at: slot)) }
                let best = head == Self.end ? nil : decision.best(paths[Int(head)])
                removed(heads.key(at: slot), attributes, decision.differ(best, oldBest))
            }
        }
        for key in emptied {
            if let slot = heads.slot(of: key) { heads.remove(at: slot) }
        }
    }

    /// Decides again every prefix with a path `affected` says changed (its next hop became
    /// reachable or unreachable, or resolves another way); `wasEligible` gives a path's
    /// verdict before the change. Calls `changed` with each prefix whose best path changed,
    /// or whose best path is itself affected (its kernel route may move), and the new best
    /// (nil: none eligible).
    mutating func redecide(affected: (Path) -> Bool, wasEligible: (Path) -> Bool, decision: Decision,
                           changed: (Key, Path?) -> Void) {
        for slot in 0..<heads.capacity where heads.isOccupied(slot) {
            var head = heads.value(at: slot)
            var cursor = head
            var touched = false
            while cursor != Self.end, !touched {
                touched = affected(paths[Int(cursor)])
                cursor = paths[Int(cursor)].next
            }
            guard touched else { continue }
            let oldHead = paths[Int(head)]
            let oldBest = wasEligible(oldHead) ? oldHead : nil
            reorder(head: &head, decision: decision)
            heads.setValue(head, at: slot)
            let best = decision.best(paths[Int(head)])
            if decision.differ(best, oldBest) || best.map(affected) == true { changed(heads.key(at: slot), best) }
        }
    }

    /// The prefix's chain head (the best path when `Decision.eligible` agrees).
    func head(_ key: Key) -> Path? {
        guard let head = heads[key] else { return nil }
        return paths[Int(head)]
    }

    /// The paths of `key`, best first.
    func chain(_ key: Key) -> [Path] {
        var result: [Path] = []
        var cursor = heads[key] ?? Self.end
        while cursor != Self.end {
            result.append(paths[Int(cursor)])
            cursor = paths[Int(cursor)].next
        }
        return result
    }

    /// Visits every prefix with its chain's head.
    func forEachHead(_ body: (Key, Path) -> Void) {
        for slot in 0..<heads.capacity where heads.isOccupied(slot) { body(heads.key(at: slot), paths[Int(heads.value(at: slot))]) }
    }

    /// Visits every path of `peer`: prefix, attribute id, and whether it heads its chain.
    func forEachPath(of peer: UInt32, _ body: (Key, UInt32, Bool) -> Void) {
        for slot in 0..<heads.capacity where heads.isOccupied(slot) {
            var cursor = heads.value(at: slot)
            var isHead = true
            while cursor != Self.end {
                let path = paths[Int(cursor)]
                if path.peer == peer {
                    body(heads.key(at: slot), path.attributes, isHead)
                    break
                }
                isHead = false
                cursor = path.next
            }
        }
    }
}
