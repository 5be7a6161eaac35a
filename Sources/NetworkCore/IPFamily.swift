/// The two address families, with the width of their addresses.
public enum IPFamily: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case v4
    case v6

    public var bitWidth: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    public var description: String {
        switch self {
        case .v4: "IPv4"
        case .v6: "IPv6"
        }
    }
}
