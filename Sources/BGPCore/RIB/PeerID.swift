import NetworkCore

/// A peer's slot in the RIB. `PeerID.local` is the speaker itself, the source of
/// originated routes.
public struct PeerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let local = PeerID(rawValue: 0)
    public static func < (lhs: PeerID, rhs: PeerID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue == 0 ? "local" : "peer#\(rawValue)" }
}

/// What the decision process and the export rules need to know about a peer.
public struct PeerInfo: Hashable, Sendable {
    public var address: IPAddress
    public var asNumber: UInt32
    /// The BGP identifier from the peer's OPEN (RFC 4271 §9.1.2.2 f).
    public var routerID: IPv4Address
    /// In another AS than ours.
    public var isExternal: Bool
    /// A single-hop eBGP peer: its next hops must be on a connected network
    /// (`ConnectedNetworks`) for its routes to be selected.
    public var needsConnectedNextHop: Bool

    public init(address: IPAddress, asNumber: UInt32, routerID: IPv4Address, isExternal: Bool,
                needsConnectedNextHop: Bool = false) {
        self.address = address
        self.asNumber = asNumber
        self.routerID = routerID
        self.isExternal = isExternal
        self.needsConnectedNextHop = needsConnectedNextHop
    }
}
