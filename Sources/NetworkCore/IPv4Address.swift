/// An IPv4 address, host-order value.
public struct IPv4Address: Hashable, Comparable, Sendable {
    public var value: UInt32

    public init(_ value: UInt32) {
        self.value = value
    }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Strict dotted quad: four decimal octets, no leading zeros (they read as octal elsewhere).
    public init?(_ text: some StringProtocol) {
        guard let value = Self.parse(Array(text.utf8)) else { return nil }
        self.value = value
    }

    static func parse(_ utf8: [UInt8]) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        var index = 0
        while octets < 4 {
            var octet: UInt32 = 0
            var digits = 0
            while index < utf8.count, utf8[index] >= 0x30, utf8[index] <= 0x39 {
                if digits == 1 && octet == 0 { return nil }  // leading zero
                octet = octet * 10 + UInt32(utf8[index] - 0x30)
                digits += 1
                index += 1
                if octet > 255 { return nil }
            }
            guard digits > 0 else { return nil }
            value = value << 8 | octet
            octets += 1
            if octets < 4 {
                guard index < utf8.count, utf8[index] == 0x2E else { return nil }
                index += 1
            }
        }
        return index == utf8.count ? value : nil
    }

    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// Reads exactly four network-order bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool {
        lhs.value < rhs.value
    }
}

extension IPv4Address: CustomStringConvertible {
    public var description: String {
        let b = bytes
        return "\(b[0]).\(b[1]).\(b[2]).\(b[3])"
    }
}
