/// What we have announced to one peer (RFC 4271 §3.2): per prefix, the attribute set sent.
/// Attribute sets are interned, so a table of a million prefixes with one set costs one
/// index per prefix. Turns Loc-RIB changes into the announcements and withdrawals that
/// differ from it.
struct AdjRIBOut: Sendable {
    private var sent: [RIBPrefix: UInt32] = [:]
    private var sets: [PathAttributes] = []
    private var setIDs: [PathAttributes: UInt32] = [:]
    /// Consecutive prefixes mostly share a set: skip the hash lookup for a repeat.
    private var lastSet: (attributes: PathAttributes, id: UInt32)?

    var count: Int { sent.count }

    /// The UPDATE contents that bring the peer from what it has to what we now export.
    struct Delta {
        var announce: [UInt32: [RIBPrefix]] = [:]
        var withdraw: [RIBPrefix] = []
        var isEmpty: Bool { announce.isEmpty && withdraw.isEmpty }
    }

    /// Records `attributes` (nil: not exported) for `prefix` and adds the difference to `delta`.
    mutating func set(_ prefix: RIBPrefix, _ attributes: PathAttributes?, into delta: inout Delta) {
        let new = attributes.map { intern($0) }
        let old = sent[prefix]
        guard old != new else { return }
        sent[prefix] = new
        if let new {
            delta.announce[new, default: []].append(prefix)
        } else {
            delta.withdraw.append(prefix)
        }
    }

    /// Everything again (ROUTE-REFRESH, RFC 2918) for one family.
    func all(family: AddressFamily) -> Delta {
        var delta = Delta()
        for (prefix, id) in sent where prefix.family == family {
            delta.announce[id, default: []].append(prefix)
        }
        return delta
    }

    /// A new session starts from nothing sent.
    mutating func removeAll() {
        self = AdjRIBOut()
    }

    private mutating func intern(_ attributes: PathAttributes) -> UInt32 {
        if let lastSet, lastSet.attributes == attributes { return lastSet.id }
        let id: UInt32
        if let known = setIDs[attributes] {
            id = known
        } else {
            id = UInt32(sets.count)
            sets.append(attributes)
            setIDs[attributes] = id
        }
        lastSet = (attributes, id)
        return id
    }

    /// Full-size UPDATEs: withdrawals first, then one run of messages per attribute set.
    func encode(_ delta: Delta, with packer: UpdatePacker) -> [UInt8] {
        var out: [UInt8] = []
        let v4Withdrawn = delta.withdraw.compactMap { if case .v4(let p) = $0 { p } else { nil } }
        let v6Withdrawn = delta.withdraw.compactMap { if case .v6(let p) = $0 { p } else { nil } }
        if !v4Withdrawn.isEmpty { _ = packer.withdraw(v4Withdrawn, into: &out) }
        if !v6Withdrawn.isEmpty { _ = packer.withdraw(v6Withdrawn, into: &out) }
        for (id, prefixes) in delta.announce.sorted(by: { $0.key < $1.key }) {
            let v4 = prefixes.compactMap { if case .v4(let p) = $0 { p } else { nil } }
            let v6 = prefixes.compactMap { if case .v6(let p) = $0 { p } else { nil } }
            if !v4.isEmpty { packer.announce(v4, attributes: sets[Int(id)], into: &out) }
            if !v6.isEmpty { packer.announce(v6, attributes: sets[Int(id)], into: &out) }
        }
        return out
    }
}
