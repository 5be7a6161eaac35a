import CNetlink
import NetworkCore

/// A route (`ip route`): the fields iproute2 users set, with its defaults.
public struct KernelRoute: Hashable, Sendable {
    public var destination: IPPrefix
    public var gateway: IPAddress?
    /// RTA_OIF (`dev`).
    public var outputInterface: Int32?
    /// RTA_NH_ID (`nhid`): the route forwards through this nexthop object instead of its
    /// own gateway and device (which are then left out).
    public var nexthopID: UInt32?
    /// RTA_PREFSRC (`src`).
    public var source: IPAddress?
    /// RTA_PRIORITY (`metric`).
    public var metric: UInt32?
    public var table: UInt32
    /// RT_SCOPE_*; nil on input means iproute2's choice: `link` for an IPv4 route without gateway.
    public var scope: UInt8?
    /// RTPROT_* (`proto`): boot (3) as iproute2, static (4)...
    public var protocolID: UInt8
    /// RTN_* (`unicast` 1, `blackhole` 6...).
    public var type: UInt8
    /// RTNH_F_ONLINK (`onlink`): the gateway is on the link even though no address of the
    /// link covers it (a link-local gateway, an ENI without addresses).
    public var onLink: Bool

    public static let mainTable: UInt32 = UInt32(RT_TABLE_MAIN.rawValue)

    public init(destination: IPPrefix, gateway: IPAddress? = nil, outputInterface: Int32? = nil, nexthopID: UInt32? = nil,
                source: IPAddress? = nil, metric: UInt32? = nil, table: UInt32 = KernelRoute.mainTable, scope: UInt8? = nil,
                protocolID: UInt8 = UInt8(RTPROT_BOOT), type: UInt8 = UInt8(RTN_UNICAST), onLink: Bool = false) {
        self.destination = destination
        self.gateway = gateway
        self.outputInterface = outputInterface
        self.nexthopID = nexthopID
        self.source = source
        self.metric = metric
        self.table = table
        self.scope = scope
        self.protocolID = protocolID
        self.type = type
        self.onLink = onLink
    }

    public var family: IPFamily { destination.family }

    public init(_ message: RouteMessage) throws(NetlinkDecodingError) {
        let family = try IPFamily.decoding(message.family, in: "rtmsg")
        let attributes = message.attributes
        destination = try IPPrefix.decoding(attributes.first(RTA_DST.rawValue), length: message.destinationLength,
                                            family: family, in: "rtmsg")
        if let classic = attributes.first(RTA_GATEWAY.rawValue) {
            gateway = try classic.address()
        } else {
            gateway = try attributes.first(RTA_VIA.rawValue)?.via()
        }
        outputInterface = try attributes.first(RTA_OIF.rawValue)?.int32()
        nexthopID = try attributes.first(RTA_NH_ID.rawValue)?.uint32()
        source = try attributes.first(RTA_PREFSRC.rawValue)?.address()
        metric = try attributes.first(RTA_PRIORITY.rawValue)?.uint32()
        table = try attributes.first(RTA_TABLE.rawValue)?.uint32() ?? UInt32(message.table)
        scope = message.scope
        protocolID = message.protocolID
        type = message.type
        onLink = message.flags & UInt32(RTNH_F_ONLINK) != 0
    }

    /// The rtmsg that adds, replaces or (with `forDeletion`) matches this route. Deletion
    /// leaves scope, protocol and type as wildcards, as `ip route del` does; with
    /// `matchingProtocol` the protocol is kept, so only a route of that protocol matches.
    func message(forDeletion: Bool = false, matchingProtocol: Bool = false) -> RouteMessage {
        var attributes: [RouteAttribute] = [RouteAttribute(type: UInt16(RTA_TABLE.rawValue), uint32: table)]
        if destination.length > 0 { attributes.append(RouteAttribute(type: UInt16(RTA_DST.rawValue), address: destination.network)) }
        if let nexthopID {
            // The kernel refuses RTA_GATEWAY/RTA_OIF beside RTA_NH_ID: the object says them.
            attributes.append(RouteAttribute(type: UInt16(RTA_NH_ID.rawValue), uint32: nexthopID))
        } else {
            // A gateway of the other family goes in RTA_VIA (an IPv4 route via IPv6, RFC 8950).
            if let gateway {
                attributes.append(gateway.family == family ? RouteAttribute(type: UInt16(RTA_GATEWAY.rawValue), address: gateway)
                                                           : RouteAttribute(type: UInt16(RTA_VIA.rawValue), via: gateway))
            }
            if let outputInterface { attributes.append(RouteAttribute(type: UInt16(RTA_OIF.rawValue), int32: outputInterface)) }
        }
        if let source { attributes.append(RouteAttribute(type: UInt16(RTA_PREFSRC.rawValue), address: source)) }
        if let metric { attributes.append(RouteAttribute(type: UInt16(RTA_PRIORITY.rawValue), uint32: metric)) }
        let defaultScope = gateway == nil && nexthopID == nil && family == .v4 && type == UInt8(RTN_UNICAST)
            ? UInt8(RT_SCOPE_LINK.rawValue) : UInt8(RT_SCOPE_UNIVERSE.rawValue)
        return RouteMessage(family: family.addressFamily, destinationLength: UInt8(destination.length),
                            table: table < 256 ? UInt8(table) : UInt8(RT_TABLE_UNSPEC.rawValue),
                            protocolID: forDeletion && !matchingProtocol ? 0 : protocolID,
                            scope: forDeletion ? UInt8(RT_SCOPE_NOWHERE.rawValue) : scope ?? defaultScope,
                            type: forDeletion ? 0 : type, flags: onLink && !forDeletion ? UInt32(RTNH_F_ONLINK) : 0,
                            attributes: attributes)
    }
}

extension KernelRoute: CustomStringConvertible {
    /// iproute2-like text for errors and logs: `10.1.0.0/24 via 10.0.0.1 dev 3 table 254`.
    public var description: String {
        var text = destination.length == 0 ? "default" : destination.description
        if let nexthopID { text += " nhid \(nexthopID)" }
        if let gateway { text += " via \(gateway)" }
        if onLink { text += " onlink" }
        if let outputInterface { text += " dev \(outputInterface)" }
        if let source { text += " src \(source)" }
        if let metric { text += " metric \(metric)" }
        return text + " table \(table)"
    }
}
