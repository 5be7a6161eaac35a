/// What we have announced to one peer (RFC 4271 §3.2): prefix to the attributes sent.
/// Turns Loc-RIB changes into the announcements and withdrawals that differ from it.
struct AdjRIBOut: Sendable {
    private(set) var routes: [RIBPrefix: PathAttributes] = [:]

    var count: Int { routes.count }

    /// The UPDATE contents that bring the peer from what it has to `wanted` for `prefixes`.
    struct Delta {
        var announce: [PathAttributes: [RIBPrefix]] = [:]
        var withdraw: [RIBPrefix] = []
        var isEmpty: Bool { announce.isEmpty && withdraw.isEmpty }
    }

    /// Records `attributes` (nil: not exported) for `prefix` and adds the difference to `delta`.
    mutating func set(_ prefix: RIBPrefix, _ attributes: PathAttributes?, into delta: inout Delta) {
        let old = routes[prefix]
        guard old != attributes else { return }
        routes[prefix] = attributes
        if let attributes {
            delta.announce[attributes, default: []].append(prefix)
        } else {
            delta.withdraw.append(prefix)
        }
    }

    /// Everything again (ROUTE-REFRESH, RFC 2918) for one family.
    func all(family: AddressFamily) -> Delta {
        var delta = Delta()
        for (prefix, attributes) in routes where prefix.family == family {
            delta.announce[attributes, default: []].append(prefix)
        }
        return delta
    }

    mutating func removeAll() { routes = [:] }
}

extension AdjRIBOut.Delta {
    /// Full-size UPDATEs: withdrawals first, then one run of messages per attribute set.
    func encode(with packer: UpdatePacker) -> [UInt8] {
        var out: [UInt8] = []
        let v4Withdrawn = withdraw.compactMap { if case .v4(let p) = $0 { p } else { nil } }
        let v6Withdrawn = withdraw.compactMap { if case .v6(let p) = $0 { p } else { nil } }
        if !v4Withdrawn.isEmpty { _ = packer.withdraw(v4Withdrawn, into: &out) }
        if !v6Withdrawn.isEmpty { _ = packer.withdraw(v6Withdrawn, into: &out) }
        for (attributes, prefixes) in announce {
            let v4 = prefixes.compactMap { if case .v4(let p) = $0 { p } else { nil } }
            let v6 = prefixes.compactMap { if case .v6(let p) = $0 { p } else { nil } }
            if !v4.isEmpty { packer.announce(v4, attributes: attributes, into: &out) }
            if !v6.isEmpty { packer.announce(v6, attributes: attributes, into: &out) }
        }
        return out
    }
}
