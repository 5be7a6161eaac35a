import BGPCore

/// One Loc-RIB route for `terway-edge bgp routes`.
public struct RouteStatus: Codable, Sendable, Equatable {
    public var prefix: String
    public var nextHop: String?
    public var asPath: String
    public var origin: String?
    public var med: UInt32?
    public var localPref: UInt32?
    public var communities: [String]
    /// The peer's address, or "local" for an originated route.
    public var from: String
    /// Routes for this prefix from other peers that lost the decision process.
    public var alternatives: Int

    public init(prefix: String, nextHop: String?, asPath: String, origin: String?, med: UInt32?, localPref: UInt32?,
                communities: [String], from: String, alternatives: Int) {
        self.prefix = prefix
        self.nextHop = nextHop
        self.asPath = asPath
        self.origin = origin
        self.med = med
        self.localPref = localPref
        self.communities = communities
        self.from = from
        self.alternatives = alternatives
    }
}
