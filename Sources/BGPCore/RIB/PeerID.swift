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
    /// How the peer's next hops are checked before its routes may be selected.
    public var nextHopCheck: NextHopCheck

    /// A single-hop eBGP peer: its next hops must be on a connected network
    /// (`ConnectedNetworks`) for its routes to be selected.
    public var needsConnectedNextHop: Bool { nextHopCheck == .connected }
    /// An iBGP or multihop eBGP peer: its next hops must resolve through the host's table
    /// (`NextHopResolver`) for its routes to be selected.
    public var resolvesNextHop: Bool { nextHopCheck == .recursive }

    public init(address: IPAddress, asNumber: UInt32, routerID: IPv4Address, isExternal: Bool,
                needsConnectedNextHop: Bool = false, resolvesNextHop: Bool = false) {
        self.address = address
        self.asNumber = asNumber
        self.routerID = routerID
        self.isExternal = isExternal
        nextHopCheck = needsConnectedNextHop ? .connected : resolvesNextHop ? .recursive : .none
    }
}

/// How a peer's next hops are checked (RFC 4271 §9.1.2.1).
public enum NextHopCheck: UInt8, Hashable, Sendable {
    /// Taken as reachable.
    case none
    /// On a connected network (single-hop eBGP, BIRD's `gateway direct`).
    case connected
    /// Resolved through the host's table (iBGP and multihop eBGP, BIRD's `gateway recursive`).
    case recursive
}
