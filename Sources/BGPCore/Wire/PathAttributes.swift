import NetworkCore

/// The attributes of a route (RFC 4271 §5), decoded. AS4_PATH and AS4_AGGREGATOR are merged
/// into `asPath` and `aggregator` on decode (RFC 6793 §4.2.3) and split out again on encode
/// for a 2-octet session, so the model always holds 4-octet AS numbers. The value is
/// Hashable: the RIB interns equal sets once.
public struct PathAttributes: Hashable, Sendable {
    public var origin: Origin?
    public var asPath: ASPath
    /// NEXT_HOP (type 3). IPv6 routes carry theirs in MP_REACH_NLRI; the RIB stores the route's
    /// next hop here whatever the family, and the encoder puts it where the family needs it.
    public var nextHop: NextHop?
    public var med: UInt32?
    public var localPref: UInt32?
    public var atomicAggregate: Bool
    public var aggregator: Aggregator?
    public var communities: [Community]
    /// Optional attributes this codec does not interpret, in received order.
    public var unknown: [RawAttribute]

    public init(origin: Origin? = nil, asPath: ASPath = ASPath(), nextHop: NextHop? = nil,
                med: UInt32? = nil, localPref: UInt32? = nil, atomicAggregate: Bool = false,
                aggregator: Aggregator? = nil, communities: [Community] = [],
                unknown: [RawAttribute] = []) {
        self.origin = origin
        self.asPath = asPath
        self.nextHop = nextHop
        self.med = med
        self.localPref = localPref
        self.atomicAggregate = atomicAggregate
        self.aggregator = aggregator
        self.communities = communities
        self.unknown = unknown
    }
}

/// ORIGIN values (RFC 4271 §5.1.1); lower is preferred.
public enum Origin: UInt8, Hashable, Sendable, Comparable, CustomStringConvertible {
    case igp = 0
    case egp = 1
    case incomplete = 2

    public static func < (lhs: Origin, rhs: Origin) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .igp: "IGP"
        case .egp: "EGP"
        case .incomplete: "incomplete"
        }
    }
}

/// AGGREGATOR with a 4-octet AS (merged from AS4_AGGREGATOR when the session is 2-octet).
public struct Aggregator: Hashable, Sendable {
    public var asNumber: UInt32
    public var address: IPv4Address

    public init(asNumber: UInt32, address: IPv4Address) {
        self.asNumber = asNumber
        self.address = address
    }
}

/// An attribute kept as received: flags, type code and value.
public struct RawAttribute: Hashable, Sendable {
    public var flags: UInt8
    public var type: UInt8
    public var value: [UInt8]

    public init(flags: UInt8, type: UInt8, value: [UInt8]) {
        self.flags = flags
        self.type = type
        self.value = value
    }

    public var isOptional: Bool { flags & AttributeFlags.optional != 0 }
    public var isTransitive: Bool { flags & AttributeFlags.transitive != 0 }
}

/// Attribute flag bits (RFC 4271 §4.3).
public enum AttributeFlags {
    public static let optional: UInt8 = 0x80
    public static let transitive: UInt8 = 0x40
    public static let partial: UInt8 = 0x20
    public static let extendedLength: UInt8 = 0x10
}

/// Attribute type codes this codec knows.
public enum AttributeType {
    public static let origin: UInt8 = 1
    public static let asPath: UInt8 = 2
    public static let nextHop: UInt8 = 3
    public static let med: UInt8 = 4
    public static let localPref: UInt8 = 5
    public static let atomicAggregate: UInt8 = 6
    public static let aggregator: UInt8 = 7
    public static let communities: UInt8 = 8
    public static let mpReach: UInt8 = 14
    public static let mpUnreach: UInt8 = 15
    public static let as4Path: UInt8 = 17
    public static let as4Aggregator: UInt8 = 18
}
