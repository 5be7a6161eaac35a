/// What we have announced to one peer (RFC 4271 §3.2): per prefix, the attribute set sent.
/// Attribute sets are interned and the prefixes live in the RIB's open-addressing
/// `PrefixMap`, so a million prefixes with one set cost one slot each. Turns Loc-RIB
/// changes into the announcements and withdrawals that differ from what the peer has.
/// Sets are counted and their ids reused once no prefix uses them (after the UPDATEs that
/// stopped using them are encoded), so the table follows what is announced now, not all
/// that ever was: live sets never outnumber live prefixes.
package struct AdjRIBOut: Sendable {
    private var v4 = PrefixMap<IPv4NLRI>()
    private var v6 = PrefixMap<IPv6NLRI>()
    private var sets: [PathAttributes] = []
    private var references: [Int] = []
    private var setIDs: [PathAttributes: UInt32] = [:]
    private var freeIDs: [UInt32] = []
    /// Ids whose last prefix left since the last `encode`: a pending delta may still name them.
    private var released: [UInt32] = []
    /// Consecutive prefixes mostly share a set: skip the hash lookup for a repeat.
    private var lastSet: (attributes: PathAttributes, id: UInt32)?
    /// Prefixes never sent: their attributes alone overflow a maximum-size UPDATE.
    package private(set) var unsendable = 0

    package var count: Int { v4.count + v6.count }
    /// Attribute sets in use.
    package var setCount: Int { setIDs.count }

    package init() {}

    /// The UPDATE contents that bring the peer from what it has to what we now export.
    package struct Delta {
        package var announce4: [UInt32: [IPv4NLRI]] = [:]
        package var announce6: [UInt32: [IPv6NLRI]] = [:]
        package var withdraw4: [IPv4NLRI] = []
        package var withdraw6: [IPv6NLRI] = []
        /// Prefixes announced or withdrawn so far.
        package var count = 0
        package var isEmpty: Bool { count == 0 }

        package init() {}
    }

    /// Records `attributes` (nil: not exported) for `prefix` and adds the difference to `delta`.
    package mutating func set(_ prefix: RIBPrefix, _ attributes: PathAttributes?, into delta: inout Delta) {
        let new = attributes.map { intern($0) }
        let old: UInt32?
        switch prefix {
        case .v4(let key):
            guard let replaced = Self.record(key, new, in: &v4) else { return }
            old = replaced
            if let new { delta.announce4[new, default: []].append(key) } else { delta.withdraw4.append(key) }
        case .v6(let key):
            guard let replaced = Self.record(key, new, in: &v6) else { return }
            old = replaced
            if let new { delta.announce6[new, default: []].append(key) } else { delta.withdraw6.append(key) }
        }
        if let new { references[Int(new)] += 1 }
        if let old { release(old) }
        delta.count += 1
    }

    /// Stores `new` for `key`: nil when the peer already has exactly that, else the set it
    /// had (`.some(nil)`: none).
    private static func record<Key: PrefixMapKey>(_ key: Key, _ new: UInt32?, in map: inout PrefixMap<Key>) -> UInt32?? {
        let slot = map.slot(of: key)
        let old = slot.map(map.value(at:))
        guard old != new else { return nil }
        switch (slot, new) {
        case (let slot?, let new?): map.setValue(new, at: slot)
        case (let slot?, nil): map.remove(at: slot)
        case (nil, let new?): map.insertNew(key, new)
        case (nil, nil): break
        }
        return .some(old)
    }

    private mutating func release(_ id: UInt32) {
        references[Int(id)] -= 1
        if references[Int(id)] == 0 { released.append(id) }
    }

    /// The UPDATE contents for `v4` and `v6` as the Adj-RIB-Out holds them now: an
    /// announcement of the current set, or a withdrawal (`OutputQueue`'s prefixes, whose
    /// turn came).
    package func delta(for v4: [IPv4NLRI], _ v6: [IPv6NLRI]) -> Delta {
        var delta = Delta()
        for key in v4 {
            if let id = self.v4[key] { delta.announce4[id, default: []].append(key) } else { delta.withdraw4.append(key) }
        }
        for key in v6 {
            if let id = self.v6[key] { delta.announce6[id, default: []].append(key) } else { delta.withdraw6.append(key) }
        }
        delta.count = v4.count + v6.count
        return delta
    }

    /// Everything again (ROUTE-REFRESH, RFC 2918) for one family.
    package func all(family: AddressFamily) -> Delta {
        var delta = Delta()
        if family == .ipv4Unicast {
            for slot in 0..<v4.capacity where v4.isOccupied(slot) {
                delta.announce4[v4.value(at: slot), default: []].append(v4.key(at: slot))
            }
            delta.count = v4.count
        } else if family == .ipv6Unicast {
            for slot in 0..<v6.capacity where v6.isOccupied(slot) {
                delta.announce6[v6.value(at: slot), default: []].append(v6.key(at: slot))
            }
            delta.count = v6.count
        }
        return delta
    }

    /// A new session starts from nothing sent.
    package mutating func removeAll() {
        self = AdjRIBOut()
    }

    /// The id of `attributes`, a new or reused one for a set not in use. Ids stay below the
    /// number of prefixes held (a freed id is reused first), which the prefix limits bound
    /// far below the IPv4 map's 2^26 values.
    private mutating func intern(_ attributes: PathAttributes) -> UInt32 {
        if let lastSet, lastSet.attributes == attributes { return lastSet.id }
        let id: UInt32
        if let known = setIDs[attributes] {
            id = known
        } else if let free = freeIDs.popLast() {
            id = free
            sets[Int(id)] = attributes
            setIDs[attributes] = id
        } else {
            id = UInt32(sets.count)
            sets.append(attributes)
            references.append(0)
            setIDs[attributes] = id
        }
        lastSet = (attributes, id)
        return id
    }

    /// Full-size UPDATEs: withdrawals first, then one run of messages per attribute set.
    /// Prefixes whose attributes cannot fit in one UPDATE are not sent, leave the Adj-RIB-Out
    /// (they were never announced) and are counted in `unsendable`. Afterwards the sets no
    /// prefix uses any more are freed.
    package mutating func encode(_ delta: Delta, with packer: UpdatePacker) -> [UInt8] {
        var out: [UInt8] = []
        if !delta.withdraw4.isEmpty { _ = packer.withdraw(delta.withdraw4, into: &out) }
        if !delta.withdraw6.isEmpty { _ = packer.withdraw(delta.withdraw6, into: &out) }
        for (id, prefixes) in delta.announce4.sorted(by: { $0.key < $1.key })
        where packer.announce(prefixes, attributes: sets[Int(id)], into: &out) == 0 {
            for key in prefixes where v4[key] == id { drop(.v4(key)) }
        }
        for (id, prefixes) in delta.announce6.sorted(by: { $0.key < $1.key })
        where packer.announce(prefixes, attributes: sets[Int(id)], into: &out) == 0 {
            for key in prefixes where v6[key] == id { drop(.v6(key)) }
        }
        for id in released where references[Int(id)] == 0 {
            setIDs[sets[Int(id)]] = nil
            sets[Int(id)] = PathAttributes()
            freeIDs.append(id)
            if lastSet?.id == id { lastSet = nil }
        }
        released = []
        return out
    }

    private mutating func drop(_ prefix: RIBPrefix) {
        var ignored = Delta()
        set(prefix, nil, into: &ignored)
        unsendable += 1
    }
}
