/// A community (RFC 1997): 16 bits of AS and 16 bits of value, written "AS:value".
public struct Community: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public init(asNumber: UInt16, value: UInt16) {
        rawValue = UInt32(asNumber) << 16 | UInt32(value)
    }

    /// Parses "65002:100" or a well-known name ("no-export", "no-advertise",
    /// "no-export-subconfed", "no-peer").
    public init?(_ text: some StringProtocol) {
        if let known = Self.wellKnown.first(where: { $0.name == text }) {
            self = known.community
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let high = UInt16(parts[0]), let low = UInt16(parts[1]) else { return nil }
        self.init(asNumber: high, value: low)
    }

    public static let noExport = Community(rawValue: 0xFFFF_FF01)
    public static let noAdvertise = Community(rawValue: 0xFFFF_FF02)
    public static let noExportSubconfed = Community(rawValue: 0xFFFF_FF03)
    /// RFC 3765.
    public static let noPeer = Community(rawValue: 0xFFFF_FF04)

    static let wellKnown: [(name: String, community: Community)] = [
        ("no-export", .noExport), ("no-advertise", .noAdvertise),
        ("no-export-subconfed", .noExportSubconfed), ("no-peer", .noPeer),
    ]

    public static func < (lhs: Community, rhs: Community) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        if let known = Self.wellKnown.first(where: { $0.community == self }) { return known.name }
        return "\(rawValue >> 16):\(rawValue & 0xFFFF)"
    }
}
