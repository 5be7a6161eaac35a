import NetworkCore

/// An IPv6 prefix as BGP carries it: address bits and length, host bits always zero.
public struct IPv6NLRI: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let address: UInt128
    public let length: UInt8

    /// Builds a prefix, clearing host bits; nil when `length` exceeds 128.
    public init?(address: UInt128, length: Int) {
        guard length >= 0, length <= 128 else { return nil }
        let mask: UInt128 = length == 0 ? 0 : ~0 << UInt128(128 - length)
        self.address = address & mask
        self.length = UInt8(length)
    }

    /// For sentinel values that are not prefixes (the RIB's empty hash slot).
    init(unchecked address: UInt128, length: UInt8) {
        self.address = address
        self.length = length
    }

    public init?(_ prefix: IPPrefix) {
        guard case .v6(let address) = prefix.network else { return nil }
        self.init(address: address.value, length: prefix.length)
    }

    public var prefix: IPPrefix { IPPrefix(network: .v6(IPv6Address(address)), length: Int(length))! }

    public static func < (lhs: IPv6NLRI, rhs: IPv6NLRI) -> Bool {
        (lhs.address, lhs.length) < (rhs.address, rhs.length)
    }
    public var description: String { prefix.description }
}
