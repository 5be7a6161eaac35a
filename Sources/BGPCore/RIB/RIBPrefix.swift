import NetworkCore

/// A prefix of either family as the RIB keys it.
public enum RIBPrefix: Hashable, Comparable, Sendable, CustomStringConvertible {
    case v4(IPv4NLRI)
    case v6(IPv6NLRI)

    public init?(_ prefix: IPPrefix) {
        if let p = IPv4NLRI(prefix) {
            self = .v4(p)
        } else if let p = IPv6NLRI(prefix) {
            self = .v6(p)
        } else {
            return nil
        }
    }

    public var prefix: IPPrefix {
        switch self {
        case .v4(let p): p.prefix
        case .v6(let p): p.prefix
        }
    }

    public static func < (lhs: RIBPrefix, rhs: RIBPrefix) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }

    public var description: String { prefix.description }
}

/// One path of one prefix, as `terway-edge bgp routes` shows it.
public struct RIBRoute: Hashable, Sendable {
    public var prefix: RIBPrefix
    public var peer: PeerID
    public var attributes: PathAttributes
    /// The Loc-RIB's choice for the prefix.
    public var isBest: Bool

    public init(prefix: RIBPrefix, peer: PeerID, attributes: PathAttributes, isBest: Bool) {
        self.prefix = prefix
        self.peer = peer
        self.attributes = attributes
        self.isBest = isBest
    }
}

/// A change of the Loc-RIB's best path: the new best, or nil when the prefix is gone.
public struct BestPathChange: Hashable, Sendable {
    public var prefix: RIBPrefix
    public var best: RIBRoute?

    public init(prefix: RIBPrefix, best: RIBRoute?) {
        self.prefix = prefix
        self.best = best
    }
}
