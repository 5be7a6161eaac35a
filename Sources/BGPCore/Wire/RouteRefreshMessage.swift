/// ROUTE-REFRESH (RFC 2918): ask the peer to resend its Adj-RIB-Out for one family.
public struct RouteRefreshMessage: Hashable, Sendable {
    public var family: AddressFamily
    /// 0 in RFC 2918; RFC 7313 uses 1 and 2 for the beginning and end of a refresh.
    public var subtype: UInt8

    public init(family: AddressFamily, subtype: UInt8 = 0) {
        self.family = family
        self.subtype = subtype
    }
}
