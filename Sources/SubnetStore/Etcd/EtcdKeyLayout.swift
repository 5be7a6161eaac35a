import NetworkCore

/// Where the lease store keeps its keys under a prefix (default `/terway-edge`):
///
/// - `<prefix>/leases/<node>`: the lease record (`LeaseRecordCodec` JSON), the node's entry;
/// - `<prefix>/subnets/<subnet>`: the holder's node name, with `/` written as `_`
///   (`10.0.1.0_24`): one key per subnet, created only if absent, so two nodes can never
///   hold one subnet whatever they believe the others hold.
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
        subnetsPrefix + Array(subnet.description.replacingSlash.utf8)
    }

    /// The node a lease key names, nil when the key is not under `leases/`.
    public func node(ofLeaseKey key: [UInt8]) -> String? {
        guard key.starts(with: leasesPrefix) else { return nil }
        return String(decoding: key.dropFirst(leasesPrefix.count), as: UTF8.self)
    }
}

private extension String {
    var replacingSlash: String { String(map { $0 == "/" ? "_" : $0 }) }
}
