/// An IPv4 or IPv6 address. The bits of either family live in a `UInt128`
/// so that prefix math is written once for both.
public enum IPAddress: Hashable, Sendable {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public var family: IPFamily {
        switch self {
        case .v4: .v4
        case .v6: .v6
        }
    }

    /// The address as an unsigned integer, right-aligned (an IPv4 address uses the low 32 bits).
    public var bits: UInt128 {
        switch self {
        case .v4(let a): UInt128(a.value)
        case .v6(let a): a.value
        }
    }

    /// Builds an address of `family` from right-aligned bits; nil when they do not fit the family.
    public init?(family: IPFamily, bits: UInt128) {
        switch family {
        case .v4:
            guard bits <= UInt128(UInt32.max) else { return nil }
            self = .v4(IPv4Address(UInt32(bits)))
        case .v6:
            self = .v6(IPv6Address(bits))
        }
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text. No zones, no leading zeros in IPv4 octets.
    public init?(_ text: some StringProtocol) {
        if let v4 = IPv4Address(text) {
            self = .v4(v4)
        } else if let v6 = IPv6Address(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): a.bytes
        case .v6(let a): a.bytes
        }
    }

    /// Reads 4 (IPv4) or 16 (IPv6) network-order bytes.
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4: self = .v4(IPv4Address(bytes: bytes)!)
        case 16: self = .v6(IPv6Address(bytes: bytes)!)
        default: return nil
        }
    }

    /// The address `offset` positions further on; nil past the end of the family's space.
    public func advanced(by offset: UInt128) -> IPAddress? {
        let (sum, overflow) = bits.addingReportingOverflow(offset)
        guard !overflow else { return nil }
        return IPAddress(family: family, bits: sum)
    }
}

extension IPAddress: Comparable {
    /// IPv4 sorts before IPv6; within a family, numerically.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.family != rhs.family { return lhs.family == .v4 }
        return lhs.bits < rhs.bits
    }
}

extension IPAddress: CustomStringConvertible {
    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }
}

extension IPAddress: LosslessStringConvertible {}
