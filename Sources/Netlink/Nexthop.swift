import CNetlink
import Glibc
import NetworkCore

/// A kernel nexthop object (`ip nexthop`, Linux 5.3+): a gateway and device that routes
/// point to by id (RTA_NH_ID). Changing the object re-points every route that uses it in
/// one step, and a route through it is installed without the per-gateway work that
/// makes thousands of classic `via` routes slow.
public struct Nexthop: Hashable, Sendable {
    /// NHA_ID; never 0 here (0 asks the kernel to pick one, which we never do: ids are ours).
    public var id: UInt32
    /// The family of the gateway; with `blackhole` and no gateway, the family of the routes.
    public var family: IPFamily
    /// NHA_GATEWAY.
    public var gateway: IPAddress?
    /// NHA_OIF (`dev`).
    public var outputInterface: Int32?
    /// NHA_BLACKHOLE.
    public var blackhole: Bool
    /// nh_protocol (`proto`): whose it is.
    public var protocolID: UInt8
    /// RTNH_F_* as the kernel reports them (RTNH_F_DEAD, RTNH_F_LINKDOWN).
    public var flags: UInt32

    public init(id: UInt32, gateway: IPAddress? = nil, outputInterface: Int32? = nil, family: IPFamily? = nil,
                blackhole: Bool = false, protocolID: UInt8 = UInt8(RTPROT_BOOT), flags: UInt32 = 0) {
        self.id = id
        self.family = family ?? gateway?.family ?? .v4
        self.gateway = gateway
        self.outputInterface = outputInterface
        self.blackhole = blackhole
        self.protocolID = protocolID
        self.flags = flags
    }

    /// Decodes a reply or an event. Group nexthops (NHA_GROUP) are reported with neither
    /// gateway nor device; callers that own only single nexthops can tell them by that.
    public init(_ message: NexthopMessage) throws(NetlinkDecodingError) {
        let attributes = message.attributes
        guard let idAttribute = attributes.first(NHA_ID) else { throw NetlinkDecodingError("nhmsg: no NHA_ID") }
        id = try idAttribute.uint32()
        gateway = try attributes.first(NHA_GATEWAY)?.address()
        outputInterface = try attributes.first(NHA_OIF)?.int32()
        blackhole = attributes.first(NHA_BLACKHOLE) != nil
        // Groups and blackholes may come with AF_UNSPEC; the gateway's family is the truth when there is one.
        family = gateway?.family ?? IPFamily(addressFamily: message.family) ?? .v4
        protocolID = message.protocolID
        flags = message.flags
    }

    /// The message that adds or replaces this nexthop.
    func message() -> NexthopMessage {
        var attributes = [RouteAttribute(type: UInt16(NHA_ID), uint32: id)]
        if blackhole {
            attributes.append(RouteAttribute(type: UInt16(NHA_BLACKHOLE), value: []))
        } else {
            if let gateway { attributes.append(RouteAttribute(type: UInt16(NHA_GATEWAY), address: gateway)) }
            if let outputInterface { attributes.append(RouteAttribute(type: UInt16(NHA_OIF), int32: outputInterface)) }
        }
        return NexthopMessage(family: family.addressFamily, protocolID: protocolID, attributes: attributes)
    }

    /// Whether two nexthops forward the same way (id, gateway, device, blackhole), whatever
    /// flags the kernel added.
    public func forwardsLike(_ other: Nexthop) -> Bool {
        id == other.id && gateway == other.gateway && outputInterface == other.outputInterface && blackhole == other.blackhole
    }
}

extension Nexthop: CustomStringConvertible {
    /// iproute2-like: `id 7 via 10.0.0.2 dev 3 proto 206`.
    public var description: String {
        var text = "id \(id)"
        if let gateway { text += " via \(gateway)" }
        if let outputInterface { text += " dev \(outputInterface)" }
        if blackhole { text += " blackhole" }
        return text + " proto \(protocolID)"
    }
}
