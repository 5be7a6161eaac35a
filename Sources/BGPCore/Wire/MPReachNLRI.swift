import NetworkCore

/// MP_REACH_NLRI (RFC 4760 §3): a family, its next hop and the reachable prefixes.
public struct MPReachNLRI: Hashable, Sendable {
    public var family: AddressFamily
    public var nextHop: NextHop
    public var prefixes: NLRIList

    public init(family: AddressFamily, nextHop: NextHop, prefixes: NLRIList) {
        self.family = family
        self.nextHop = nextHop
        self.prefixes = prefixes
    }
}

/// MP_UNREACH_NLRI (RFC 4760 §4): a family and the prefixes it withdraws.
public struct MPUnreachNLRI: Hashable, Sendable {
    public var family: AddressFamily
    public var prefixes: NLRIList

    public init(family: AddressFamily, prefixes: NLRIList) {
        self.family = family
        self.prefixes = prefixes
    }
}

/// The prefixes of an MP attribute, by family.
public enum NLRIList: Hashable, Sendable {
    case ipv4([IPv4NLRI])
    case ipv6([IPv6NLRI])
    /// A family this codec does not parse (not IPv4/IPv6 unicast): the raw NLRI octets.
    case other([UInt8])

    public var isEmpty: Bool {
        switch self {
        case .ipv4(let p): p.isEmpty
        case .ipv6(let p): p.isEmpty
        case .other(let b): b.isEmpty
        }
    }

    public var count: Int {
        switch self {
        case .ipv4(let p): p.count
        case .ipv6(let p): p.count
        case .other: 0
        }
    }
}

/// A route's next hop: NEXT_HOP for IPv4, or the MP_REACH next hop (IPv6 global plus the
/// optional link-local address, RFC 2545 §3).
public enum NextHop: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4Address)
    case ipv6(global: IPv6Address, linkLocal: IPv6Address?)
    /// A next hop of a family this codec does not parse, kept as received.
    case other([UInt8])

    public var address: IPAddress? {
        switch self {
        case .ipv4(let a): .v4(a)
        case .ipv6(let g, _): .v6(g)
        case .other: nil
        }
    }

    public var description: String {
        switch self {
        case .ipv4(let a): a.description
        case .ipv6(let g, let ll): ll.map { "\(g) (\($0))" } ?? g.description
        case .other(let b): "\(b.count) octets"
        }
    }
}
