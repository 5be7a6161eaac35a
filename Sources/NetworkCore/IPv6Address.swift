/// An IPv6 address, host-order 128-bit value.
public struct IPv6Address: Hashable, Comparable, Sendable {
    public var value: UInt128

    public init(_ value: UInt128) {
        self.value = value
    }

    /// RFC 4291 text: eight groups of up to four hex digits, one `::` for a run of zero
    /// groups, optionally ending in a dotted quad. Zones (`%eth0`) are refused.
    public init?(_ text: some StringProtocol) {
        guard let value = Self.parse(Array(text.utf8)) else { return nil }
        self.value = value
    }

    static func parse(_ utf8: [UInt8]) -> UInt128? {
        guard utf8.count >= 2, utf8.count <= 45 else { return nil }
        var groups: [UInt16] = []
        var gap: Int?  // index in `groups` where `::` stands
        var index = 0
        if utf8.starts(with: [0x3A, 0x3A]) {
            gap = 0
            index = 2
            if index == utf8.count { return 0 }
        } else if utf8[0] == 0x3A {
            return nil
        }
        while index < utf8.count {
            // An embedded IPv4 tail takes the place of the last two groups.
            let groupEnd = utf8[index...].firstIndex(of: 0x3A) ?? utf8.count
            if utf8[index..<groupEnd].contains(0x2E) {
                guard groupEnd == utf8.count, let v4 = IPv4Address.parse(Array(utf8[index...])) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(truncatingIfNeeded: v4))
                index = utf8.count
                break
            }
            var group: UInt16 = 0
            var digits = 0
            while index < utf8.count, let nibble = Self.hexValue(utf8[index]) {
                guard digits < 4 else { return nil }
                group = group << 4 | UInt16(nibble)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            groups.append(group)
            if index == utf8.count { break }
            guard utf8[index] == 0x3A else { return nil }
            index += 1
            if index < utf8.count, utf8[index] == 0x3A {
                guard gap == nil else { return nil }
                gap = groups.count
                index += 1
            } else if index == utf8.count {
                return nil  // a single trailing colon
            }
        }
        if let gap {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        return groups.reduce(0) { $0 << 16 | UInt128($1) }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    public var groups: [UInt16] {
        (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }
    }

    public var bytes: [UInt8] {
        (0..<16).map { UInt8(truncatingIfNeeded: value >> (120 - 8 * $0)) }
    }

    /// Reads exactly sixteen network-order bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt128($1) }
    }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        lhs.value < rhs.value
    }

    /// fe80::/10: meaningful only with the link it is on (RFC 4291 §2.5.6).
    public var isLinkLocal: Bool { value >> 118 == 0x3FA }
}

extension IPv6Address: CustomStringConvertible {
    /// RFC 5952: lower case, no leading zeros, the longest run (two or more) of zero groups as `::`.
    public var description: String {
        let groups = groups
        var bestStart = -1, bestLength = 1
        var runStart = -1
        for i in 0...8 {
            if i < 8, groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            range.map { String(groups[$0], radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
