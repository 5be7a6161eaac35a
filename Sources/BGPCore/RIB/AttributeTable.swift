import NetworkCore

/// Hash-consed attribute sets: each distinct `PathAttributes` is stored once and referred to
/// by a 32-bit id, counted by the paths that use it and freed when the last one goes. A
/// real full table has a few hundred thousand distinct sets (mostly distinct AS paths), so
/// the lookup index holds only ids and hash bits, not a second copy of every set.
struct AttributeTable: Sendable {
    private var sets: [PathAttributes?] = []
    /// Indexed by id. Read through a copy while paths are placed: releasing sets never
    /// writes it, so that copy stays shared instead of being duplicated.
    private(set) var ranks: [DecisionRank] = []
    private var references: [Int] = []
    private var freeIDs: [UInt32] = []
    /// Open addressing: each slot is (32 hash bits << 32 | id), or `emptySlot`.
    private var index = [UInt64](repeating: emptySlot, count: 16)
    private(set) var count = 0
    /// The networks next hops are checked against (nil: not checked).
    private(set) var connected: ConnectedNetworks?
    /// The host's table next hops are resolved through (nil: not resolved, all reachable);
    /// every set's next hop is tracked in it while the set lives.
    private(set) var resolver: NextHopResolver?

    private static var emptySlot: UInt64 { .max }

    private var mask: Int { index.count - 1 }

    private static func hashBits(_ attributes: PathAttributes) -> UInt32 {
        UInt32(truncatingIfNeeded: attributes.hashValue)
    }

    private func home(_ hash: UInt32) -> Int { Int(truncatingIfNeeded: UInt64(hash) &* 0x9E37_79B9_7F4A_7C15 >> 32) & mask }

    /// The index slot holding `attributes`, or the empty slot where it would go.
    private func find(_ attributes: PathAttributes, hash: UInt32) -> (slot: Int, found: Bool) {
        var slot = home(hash)
        while index[slot] != Self.emptySlot {
            let entry = index[slot]
            if UInt32(truncatingIfNeeded: entry >> 32) == hash, sets[Int(UInt32(truncatingIfNeeded: entry))] == attributes {
                return (slot, true)
            }
            slot = (slot + 1) & mask
        }
        return (slot, false)
    }

    /// The id of `attributes`, adding it if new, with `references` more users.
    mutating func intern(_ attributes: PathAttributes, references added: Int) -> UInt32 {
        let hash = Self.hashBits(attributes)
        let (slot, found) = find(attributes, hash: hash)
        if found {
            let id = UInt32(truncatingIfNeeded: index[slot])
            references[Int(id)] += added
            return id
        }
        let rank = DecisionRank(attributes, connected: connected, resolution: track(attributes.nextHop))
        let id: UInt32
        if let reused = freeIDs.popLast() {
            id = reused
            sets[Int(id)] = attributes
            ranks[Int(id)] = rank
            references[Int(id)] = added
        } else {
            id = UInt32(sets.count)
            sets.append(attributes)
            ranks.append(rank)
            references.append(added)
        }
        index[slot] = UInt64(hash) << 32 | UInt64(id)
        count += 1
        if count * 4 > index.count * 3 { grow() }
        return id
    }

    /// Drops one user of `id`; the set is freed with its last user.
    mutating func release(_ id: UInt32) {
        let position = Int(id)
        references[position] -= 1
        guard references[position] == 0, let attributes = sets[position] else { return }
        let (slot, found) = find(attributes, hash: Self.hashBits(attributes))
        if found { removeSlot(slot) }
        if let address = Self.resolvedAddress(attributes.nextHop) { resolver?.untrack(address) }
        sets[position] = nil
        freeIDs.append(id)
        count -= 1
    }

    /// Checks every set's next hop against `networks`; the ids whose verdict changed, with
    /// their rank before.
    mutating func setConnected(_ networks: ConnectedNetworks?) -> [UInt32: DecisionRank] {
        connected = networks
        var flipped: [UInt32: DecisionRank] = [:]
        for (position, attributes) in sets.enumerated() {
            guard let attributes else { continue }
            let now = DecisionRank.isConnected(attributes.nextHop, networks)
            if now != ranks[position].nextHopConnected {
                flipped[UInt32(position)] = ranks[position]
                ranks[position].nextHopConnected = now
            }
        }
        return flipped
    }

    /// Starts (or stops, with nil) resolving next hops through `new`: every set's next hop
    /// is tracked in it. The ids of every set with a next hop, with their rank before.
    mutating func setResolver(_ new: NextHopResolver?) -> [UInt32: DecisionRank] {
        resolver = new
        var before: [UInt32: DecisionRank] = [:]
        for (position, attributes) in sets.enumerated() {
            guard let attributes, attributes.nextHop != nil else { continue }
            before[UInt32(position)] = ranks[position]
            let verdict = track(attributes.nextHop)
            ranks[position].nextHopResolved = verdict.resolved
            ranks[position].interiorCost = verdict.cost
        }
        return before
    }

    /// Changes the resolver's table through `body`, which returns the next hops whose
    /// resolution changed; the ids of the sets with those next hops, with their rank before
    /// (the rank may be unchanged: a new gateway moves only the kernel route).
    mutating func updateResolver(_ body: (inout NextHopResolver) -> Set<IPAddress>) -> [UInt32: DecisionRank] {
        guard var current = resolver else { return [:] }
        resolver = nil
        let moved = body(&current)
        resolver = current
        guard !moved.isEmpty else { return [:] }
        var before: [UInt32: DecisionRank] = [:]
        for (position, attributes) in sets.enumerated() {
            guard let attributes, let address = Self.resolvedAddress(attributes.nextHop), moved.contains(address) else { continue }
            before[UInt32(position)] = ranks[position]
            let resolution = current.resolution(of: address)
            ranks[position].nextHopResolved = resolution != nil
            ranks[position].interiorCost = resolution?.metric ?? 0
        }
        return before
    }

    /// The address a next hop is resolved by: nil for none, for a link-local one (on the
    /// session's link by definition, RFC 2545 §3) and for a family this codec does not parse.
    static func resolvedAddress(_ nextHop: NextHop?) -> IPAddress? {
        switch nextHop {
        case .ipv4(let address)?: .v4(address)
        case .ipv6(let global, _)? where !global.isLinkLocal: .v6(global)
        default: nil
        }
    }

    /// Tracks a new set's next hop in the resolver; its verdict.
    private mutating func track(_ nextHop: NextHop?) -> NextHopVerdict {
        guard resolver != nil, let nextHop else { return .unchecked }
        guard let address = Self.resolvedAddress(nextHop) else {
            if case .other = nextHop { return NextHopVerdict(resolved: false, cost: 0) }
            return .unchecked
        }
        let resolution = resolver?.track(address)
        return NextHopVerdict(resolved: resolution != nil, cost: resolution?.metric ?? 0)
    }

    subscript(id: UInt32) -> PathAttributes { sets[Int(id)] ?? PathAttributes() }

    private mutating func grow() {
        let old = index
        index = [UInt64](repeating: Self.emptySlot, count: old.count * 2)
        for entry in old where entry != Self.emptySlot {
            var slot = home(UInt32(truncatingIfNeeded: entry >> 32))
            while index[slot] != Self.emptySlot { slot = (slot + 1) & mask }
            index[slot] = entry
        }
    }

    /// Backward-shift deletion, as in `PrefixMap.remove(at:)`.
    private mutating func removeSlot(_ slot: Int) {
        var hole = slot
        var next = (slot + 1) & mask
        while index[next] != Self.emptySlot {
            if backwardShiftMoves(home: home(UInt32(truncatingIfNeeded: index[next] >> 32)), hole: hole, index: next) {
                index[hole] = index[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        index[hole] = Self.emptySlot
    }
}
