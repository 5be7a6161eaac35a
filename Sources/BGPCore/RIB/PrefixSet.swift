import NetworkCore

/// The prefixes seen so far, to refuse one originated twice. Backed by the RIB's
/// `PrefixMap` (8 octets per IPv4 slot): a million-line originate file checked with a
/// `Set<IPPrefix>` cost 64 MB and a SipHash per line.
package struct PrefixSet {
    private var v4 = PrefixMap<IPv4NLRI>()
    private var v6 = PrefixMap<IPv6NLRI>()

    package init() {}

    /// Adds `prefix`; false when it was already there.
    package mutating func insert(_ prefix: IPPrefix) -> Bool {
        switch RIBPrefix(prefix) {
        case .v4(let key)?:
            guard v4.slot(of: key) == nil else { return false }
            v4.insertNew(key, 0)
        case .v6(let key)?:
            guard v6.slot(of: key) == nil else { return false }
            v6.insertNew(key, 0)
        case nil:
            break
        }
        return true
    }
}
