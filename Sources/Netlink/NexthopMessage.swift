/// RTM_NEWNEXTHOP/DELNEXTHOP/GETNEXTHOP payload: `struct nhmsg` plus NHA_* attributes.
public struct NexthopMessage: Hashable, Sendable {
    public var family: UInt8
    /// Set by the kernel in replies only.
    public var scope: UInt8
    /// The protocol that installed the nexthop (`ip nexthop ... proto P`).
    public var protocolID: UInt8
    /// RTNH_F_* (`dead`, `linkdown`, `onlink`).
    public var flags: UInt32
    public var attributes: [RouteAttribute]

    public init(family: UInt8 = 0, scope: UInt8 = 0, protocolID: UInt8 = 0, flags: UInt32 = 0,
                attributes: [RouteAttribute] = []) {
        self.family = family
        self.scope = scope
        self.protocolID = protocolID
        self.flags = flags
        self.attributes = attributes
    }

    public func encoded() -> [UInt8] {
        var writer = NetlinkByteWriter()
        for byte in [family, scope, protocolID, UInt8(0)] { writer.append(byte) }
        writer.append(flags)
        writer.append(contentsOf: RouteAttribute.encode(attributes))
        return writer.bytes
    }

    public init(decoding payload: ArraySlice<UInt8>) throws(NetlinkDecodingError) {
        var reader = NetlinkByteReader(payload, context: "nhmsg")
        family = try reader.readUInt8()
        scope = try reader.readUInt8()
        protocolID = try reader.readUInt8()
        _ = try reader.readUInt8()
        flags = try reader.readUInt32()
        attributes = try RouteAttribute.decode(reader.readRest())
    }
}
