/// A network prefix (CIDR block): an address with every host bit zero, and a length.
public struct IPPrefix: Hashable, Sendable {
    /// The first address of the block; its host bits are always zero.
    public let network: IPAddress
    public let length: Int

    /// Builds a prefix; nil when the length is out of range or host bits are set.
    public init?(network: IPAddress, length: Int) {
        guard length >= 0, length <= network.family.bitWidth,
              network.bits & Self.hostMask(family: network.family, length: length) == 0 else { return nil }
        self.network = network
        self.length = length
    }

    /// The prefix of `length` that contains `address` (host bits cleared).
    public init?(containing address: IPAddress, length: Int) {
        guard length >= 0, length <= address.family.bitWidth else { return nil }
        let bits = address.bits & ~Self.hostMask(family: address.family, length: length)
        self.init(network: IPAddress(family: address.family, bits: bits)!, length: length)
    }

    /// Lenient parse for configuration that was already checked: nil on any error.
    public init?(_ text: some StringProtocol) {
        guard let parsed = try? IPPrefix(parsing: text) else { return nil }
        self = parsed
    }

    /// Strict parse of `address/length`. Host bits are an error, not silently masked:
    /// `10.0.1.5/16` is most likely a typo for a different block.
    public init(parsing text: some StringProtocol) throws(PrefixParseError) {
        let string = String(text)
        guard let slash = string.firstIndex(of: "/") else { throw .missingLength(string) }
        guard let address = IPAddress(string[..<slash]) else { throw .badAddress(string) }
        let lengthText = string[string.index(after: slash)...]
        guard !lengthText.isEmpty, lengthText.count <= 3, lengthText.allSatisfy(\.isASCIIDigit),
              lengthText.count == 1 || lengthText.first != "0",
              let length = Int(lengthText), length <= address.family.bitWidth
        else { throw .badLength(string, maximum: address.family.bitWidth) }
        guard let prefix = IPPrefix(network: address, length: length) else {
            throw .hostBitsSet(string, network: IPPrefix(containing: address, length: length)!)
        }
        self = prefix
    }

    public var family: IPFamily { network.family }

    /// Bits that are zero in the network and vary inside the block.
    static func hostMask(family: IPFamily, length: Int) -> UInt128 {
        let hostBits = family.bitWidth - length
        return hostBits >= 128 ? .max : (UInt128(1) << hostBits) - 1
    }

    var hostMask: UInt128 { Self.hostMask(family: family, length: length) }

    /// The number of addresses in the block, saturating at `UInt128.max` for `::/0`.
    public var addressCount: UInt128 {
        hostMask == .max ? .max : hostMask + 1
    }

    /// The last address of the block (IPv4: the broadcast address).
    public var lastAddress: IPAddress {
        IPAddress(family: family, bits: network.bits | hostMask)!
    }

    /// The address `index` positions into the block; nil outside it.
    public func address(at index: UInt128) -> IPAddress? {
        guard index <= hostMask else { return nil }
        return IPAddress(family: family, bits: network.bits | index)
    }

    /// The position of `address` inside the block; nil when it lies outside.
    public func index(of address: IPAddress) -> UInt128? {
        contains(address) ? address.bits & hostMask : nil
    }

    public func contains(_ address: IPAddress) -> Bool {
        address.family == family && address.bits & ~hostMask == network.bits
    }

    /// True when every address of `other` lies inside this block.
    public func contains(_ other: IPPrefix) -> Bool {
        other.length >= length && contains(other.network)
    }

    /// True when the two blocks share at least one address (one then contains the other).
    public func overlaps(_ other: IPPrefix) -> Bool {
        contains(other.network) || other.contains(network)
    }
}

extension IPPrefix: Comparable {
    /// By family, then network address, then length (a block sorts before its subnets).
    public static func < (lhs: IPPrefix, rhs: IPPrefix) -> Bool {
        if lhs.network != rhs.network { return lhs.network < rhs.network }
        return lhs.length < rhs.length
    }
}

extension IPPrefix: CustomStringConvertible {
    public var description: String { "\(network)/\(length)" }
}

extension IPPrefix: LosslessStringConvertible {}

/// Why a CIDR string was refused, in words a person can act on.
public enum PrefixParseError: Error, Hashable, Sendable, CustomStringConvertible {
    case missingLength(String)
    case badAddress(String)
    case badLength(String, maximum: Int)
    case hostBitsSet(String, network: IPPrefix)

    public var description: String {
        switch self {
        case .missingLength(let s): "'\(s)' has no prefix length; write it as address/length"
        case .badAddress(let s): "'\(s)' does not start with a valid IPv4 or IPv6 address"
        case .badLength(let s, let max): "'\(s)' has a prefix length that is not a number from 0 to \(max)"
        case .hostBitsSet(let s, let network): "'\(s)' has host bits set; the block is \(network)"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension IPPrefix {
    /// `0.0.0.0/0` or `::/0`: the default route's destination.
    public static func defaultRoute(_ family: IPFamily) -> IPPrefix {
        IPPrefix(network: family == .v4 ? .v4(IPv4Address(0)) : .v6(IPv6Address(0)), length: 0)!
    }
}
