import NetworkCore

/// Where the lease store keeps its keys under a prefix (default `/terway-edge`):
///
/// - `<prefix>/leases/<node>`: the lease record (`LeaseRecordCodec` JSON), the node's entry;
/// - `<prefix>/subnets/<family>/<bits>`: the holder's node name, one key per held subnet,
///   named by the subnet's network bits as `0`/`1` characters (`10.0.1.0/24` is
///   `v4/000010100000000000000001`). In that naming a subnet's key is a prefix of the key of
///   every subnet inside it, so one transaction can require the subnet's own key, the
///   keys of every subnet around it (its proper prefixes) and the key range of every
///   subnet within it to be absent: two overlapping subnets of any lengths can never both
///   be held, whatever each writer believed the others held.
///
/// Both keys of a lease hang on one etcd lease, so etcd deletes them together at expiry.
public struct EtcdKeyLayout: Sendable, Hashable {
    public let prefix: String

    /// `prefix` must start with `/` and not end with one (`/terway-edge`).
    public init(prefix: String) throws(LeaseStoreError) {
        let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        guard trimmed.hasPrefix("/"), trimmed.count > 1, !trimmed.contains("//"),
              trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw .badConfiguration("etcd key prefix '\(prefix)' must look like /terway-edge (printable ASCII, no empty segments)")
        }
        self.prefix = trimmed
    }

    public var leasesPrefix: [UInt8] { Array("\(prefix)/leases/".utf8) }
    public var subnetsPrefix: [UInt8] { Array("\(prefix)/subnets/".utf8) }

    public func leaseKey(_ node: String) -> [UInt8] { leasesPrefix + Array(node.utf8) }

    public func subnetKey(_ subnet: IPPrefix) -> [UInt8] {
        let bits = subnet.network.bits, width = subnet.family.bitWidth
        let digits = (0..<subnet.length).map { bits >> (width - 1 - $0) & 1 == 1 ? UInt8(ascii: "1") : UInt8(ascii: "0") }
        return subnetsPrefix + Array("\(subnet.family == .v4 ? "v4" : "v6")/".utf8) + digits
    }

    /// The subnet a subnet key names; nil for a key that is not one.
    public func subnet(ofSubnetKey key: [UInt8]) -> IPPrefix? {
        guard key.starts(with: subnetsPrefix) else { return nil }
        let rest = key.dropFirst(subnetsPrefix.count)
        let family: IPFamily
        if rest.starts(with: Array("v4/".utf8)) { family = .v4 } else if rest.starts(with: Array("v6/".utf8)) { family = .v6 } else { return nil }
        let digits = rest.dropFirst(3)
        guard digits.count <= family.bitWidth else { return nil }
        var bits: UInt128 = 0
        for (index, digit) in digits.enumerated() {
            switch digit {
            case UInt8(ascii: "1"): bits |= 1 << (family.bitWidth - 1 - index)
            case UInt8(ascii: "0"): break
            default: return nil
            }
        }
        return IPAddress(family: family, bits: bits).flatMap { IPPrefix(network: $0, length: digits.count) }
    }

    /// The keys of every subnet that contains `subnet` (shorter prefixes of its bits).
    public func coveringSubnetKeys(_ subnet: IPPrefix) -> [[UInt8]] {
        let key = subnetKey(subnet), bitsStart = key.count - subnet.length
        return (0..<subnet.length).map { Array(key[..<(bitsStart + $0)]) }
    }

    /// The key range `[start, end)` of every subnet strictly inside `subnet`: its bits and one more digit.
    public func coveredSubnetRange(_ subnet: IPPrefix) -> (start: [UInt8], end: [UInt8]) {
        let key = subnetKey(subnet)
        return (key + [UInt8(ascii: "0")], key + [UInt8(ascii: "2")])
    }

    /// The node a lease key names, nil when the key is not under `leases/`.
    public func node(ofLeaseKey key: [UInt8]) -> String? {
        guard key.starts(with: leasesPrefix) else { return nil }
        return String(decoding: key.dropFirst(leasesPrefix.count), as: UTF8.self)
    }
}
