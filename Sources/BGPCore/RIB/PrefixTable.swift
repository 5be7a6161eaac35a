/// The routes of one address family: each prefix once, keyed in a hash table, pointing at a
/// chain of paths (one per peer that sent it) kept in decision order, so the head is the
/// Loc-RIB's best path and the whole chain is the Adj-RIBs-In for that prefix. Paths live in
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

    /// The outcome of an insert or remove, for counters and change notification.
    struct Outcome: Sendable {
        /// The attribute set of the path this peer had before, which the caller releases.
        var replaced: UInt32?
        var bestChanged: Bool
        /// The prefix's best path afterwards (nil: the prefix is gone), for change reports.
        var best: Path?
    }

    /// Adds or replaces (implicit withdraw) `peer`'s path for `key`, placing it by `prefers`.
    /// Nil when the table holds as many paths as its map can index (2^26 for IPv4: about 67
    /// million, far beyond any max-prefix setting).
    mutating func insert(_ key: Key, peer: UInt32, attributes: UInt32,
                         prefers: (_ a: Path, _ b: Path) -> Bool) -> Outcome? {
        guard freeList != Self.end || paths.count < Int(Key.valueLimit) - 1 else { return nil }
        let new = Path(peer: peer, attributes: attributes, next: Self.end)
        guard let slot = heads.slot(of: key) else {
            heads.insertNew(key, allocate(new))
            return Outcome(replaced: nil, bestChanged: true, best: new)
        }
        var head = heads.value(at: slot)
        let oldBest = paths[Int(head)]
        let replaced = unlink(peer: peer, head: &head)
        // Find the first path the new one beats and link in front of it.
        var previous = Self.end
        var cursor = head
        while cursor != Self.end, !prefers(new, paths[Int(cursor)]) {
            previous = cursor
            cursor = paths[Int(cursor)].next
        }
        var entry = new
        entry.next = cursor
        let index = allocate(entry)
        if previous == Self.end { head = index } else { paths[Int(previous)].next = index }
        heads.setValue(head, at: slot)
        let best = paths[Int(head)]
        let changed = best.peer != oldBest.peer || best.attributes != oldBest.attributes
        return Outcome(replaced: replaced, bestChanged: changed, best: best)
    }

    /// Removes `peer`'s path for `key`, if any.
    mutating func remove(_ key: Key, peer: UInt32) -> Outcome {
        guard let slot = heads.slot(of: key) else { return Outcome(replaced: nil, bestChanged: false, best: nil) }
        var head = heads.value(at: slot)
        let oldBestPeer = paths[Int(head)].peer
        guard let replaced = unlink(peer: peer, head: &head) else {
            return Outcome(replaced: nil, bestChanged: false, best: paths[Int(head)])
        }
        if head == Self.end {
            heads.remove(at: slot)
        } else {
            heads.setValue(head, at: slot)
        }
        return Outcome(replaced: replaced, bestChanged: oldBestPeer == peer,
                       best: head == Self.end ? nil : paths[Int(head)])
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
    mutating func removeAll(peer: UInt32, removed: (Key, UInt32, Bool) -> Void) {
        // Emptied prefixes are removed after the walk: removal shifts entries between slots.
        var emptied: [Key] = []
        for slot in 0..<heads.capacity where heads.isOccupied(slot) {
            var head = heads.value(at: slot)
            let oldBestPeer = paths[Int(head)].peer
            if let attributes = unlink(peer: peer, head: &head) {
                heads.setValue(head, at: slot)
                if head == Self.end { emptied.append(heads.key(at: slot)) }
                removed(heads.key(at: slot), attributes, oldBestPeer == peer)
            }
        }
        for key in emptied {
            if let slot = heads.slot(of: key) { heads.remove(at: slot) }
        }
    }

    func best(_ key: Key) -> Path? {
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

    /// Visits every path of `peer`: prefix, attribute id, and whether it is the best.
    func forEachPath(of peer: UInt32, _ body: (Key, UInt32, Bool) -> Void) {
        for slot in 0..<heads.capacity where heads.isOccupied(slot) {
            var cursor = heads.value(at: slot)
            var isBest = true
            while cursor != Self.end {
                let path = paths[Int(cursor)]
                if path.peer == peer {
                    body(heads.key(at: slot), path.attributes, isBest)
                    break
                }
                isBest = false
                cursor = path.next
            }
        }
    }
}
