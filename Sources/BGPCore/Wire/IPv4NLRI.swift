import NetworkCore

/// An IPv4 prefix as BGP carries it, packed into one `UInt64` (address << 8 | length) so the
/// RIB can key a million of them without per-prefix allocations. Host bits are always zero.
public struct IPv4NLRI: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let key: UInt64

    /// Builds a prefix, clearing host bits; nil when `length` exceeds 32.
    public init?(address: UInt32, length: Int) {
        guard length >= 0, length <= 32 else { return nil }
        let mask: UInt32 = length == 0 ? 0 : ~0 << UInt32(32 - length)
        key = UInt64(address & mask) << 8 | UInt64(length)
    }

    public init(key: UInt64) { self.key = key }

    public init?(_ prefix: IPPrefix) {
        guard case .v4(let address) = prefix.network else { return nil }
        self.init(address: address.value, length: prefix.length)
    }

    public var address: UInt32 { UInt32(truncatingIfNeeded: key >> 8) }
    public var length: Int { Int(key & 0xFF) }
    public var prefix: IPPrefix { IPPrefix(network: .v4(IPv4Address(address)), length: length)! }

    public static func < (lhs: IPv4NLRI, rhs: IPv4NLRI) -> Bool { lhs.key < rhs.key }
    public var description: String { prefix.description }
}
