/// An AFI/SAFI pair (RFC 4760). Only unicast IPv4 and IPv6 carry routes here; other pairs
/// are kept as numbers so capabilities and MP attributes round-trip.
public struct AddressFamily: Hashable, Sendable, CustomStringConvertible {
    public var afi: UInt16
    public var safi: UInt8

    public init(afi: UInt16, safi: UInt8) {
        self.afi = afi
        self.safi = safi
    }

    public static let ipv4Unicast = AddressFamily(afi: 1, safi: 1)
    public static let ipv6Unicast = AddressFamily(afi: 2, safi: 1)

    public var description: String {
        switch self {
        case .ipv4Unicast: "ipv4-unicast"
        case .ipv6Unicast: "ipv6-unicast"
        default: "afi \(afi) safi \(safi)"
        }
    }
}
