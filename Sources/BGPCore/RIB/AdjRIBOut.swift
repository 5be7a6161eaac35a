/// What we have announced to one peer (RFC 4271 §3.2): per prefix, the attribute set sent.
/// Attribute sets are interned and the prefixes live in the RIB's open-addressing
/// `PrefixMap`, so a million prefixes with one set cost one slot each. Turns Loc-RIB
/// changes into the announcements and withdrawals that differ from what the peer has.
package struct AdjRIBOut: Sendable {
    private var v4 = PrefixMap<IPv4NLRI>()
    private var v6 = PrefixMap<IPv6NLRI>()
    private var sets: [PathAttributes] = []
    private var setIDs: [PathAttributes: UInt32] = [:]
    /// Consecutive prefixes mostly share a set: skip the hash lookup for a repeat.
    private var lastSet: (attributes: PathAttributes, id: UInt32)?

    package var count: Int { v4.count + v6.count }

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
        switch prefix {
        case .v4(let key):
            guard Self.record(key, new, in: &v4) else { return }
            if let new { delta.announce4[new, default: []].append(key) } else { delta.withdraw4.append(key) }
        case .v6(let key):
            guard Self.record(key, new, in: &v6) else { return }
            if let new { delta.announce6[new, default: []].append(key) } else { delta.withdraw6.append(key) }
        }
        delta.count += 1
    }

    /// Stores `new` for `key`; false when the peer already has exactly that.
    private static func record<Key: PrefixMapKey>(_ key: Key, _ new: UInt32?, in map: inout PrefixMap<Key>) -> Bool {
        let slot = map.slot(of: key)
        guard slot.map(map.value(at:)) != new else { return false }
        switch (slot, new) {
        case (let slot?, let new?): map.setValue(new, at: slot)
        case (let slot?, nil): map.remove(at: slot)
        case (nil, let new?): map.insertNew(key, new)
        case (nil, nil): break
        }
        return true
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

    private mutating func intern(_ attributes: PathAttributes) -> UInt32 {
        if let lastSet, lastSet.attributes == attributes { return lastSet.id }
        let id: UInt32
        if let known = setIDs[attributes] {
            id = known
        } else {
            // Bounded by the IPv4 map's value bits; a session would need 67M distinct sets.
            precondition(sets.count < Int(IPv4NLRI.valueLimit), "Adj-RIB-Out attribute sets exhausted")
            id = UInt32(sets.count)
            sets.append(attributes)
            setIDs[attributes] = id
        }
        lastSet = (attributes, id)
        return id
    }

    /// Full-size UPDATEs: withdrawals first, then one run of messages per attribute set.
    package func encode(_ delta: Delta, with packer: UpdatePacker) -> [UInt8] {
        var out: [UInt8] = []
        if !delta.withdraw4.isEmpty { _ = packer.withdraw(delta.withdraw4, into: &out) }
        if !delta.withdraw6.isEmpty { _ = packer.withdraw(delta.withdraw6, into: &out) }
        for (id, prefixes) in delta.announce4.sorted(by: { $0.key < $1.key }) {
            packer.announce(prefixes, attributes: sets[Int(id)], into: &out)
        }
        for (id, prefixes) in delta.announce6.sorted(by: { $0.key < $1.key }) {
            packer.announce(prefixes, attributes: sets[Int(id)], into: &out)
        }
        return out
    }
}
