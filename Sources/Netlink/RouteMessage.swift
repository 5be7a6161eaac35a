/// RTM_NEWROUTE/DELROUTE/GETROUTE payload: `struct rtmsg` plus attributes. Policy rules use
/// the same twelve-byte layout (`struct fib_rule_hdr`: `tos`, `table`, two reserved bytes,
/// `action`), so `RuleMessage` is this type under another name.
public struct RouteMessage: Hashable, Sendable {
    public var family: UInt8
    public var destinationLength: UInt8
    public var sourceLength: UInt8
    public var tos: UInt8
    public var table: UInt8
    /// rtm_protocol; for rules, fib_rule_hdr.res1.
    public var protocolID: UInt8
    /// rtm_scope; for rules, fib_rule_hdr.res2.
    public var scope: UInt8
    /// rtm_type; for rules, fib_rule_hdr.action.
    public var type: UInt8
    public var flags: UInt32
    public var attributes: [RouteAttribute]

    public init(family: UInt8, destinationLength: UInt8 = 0, sourceLength: UInt8 = 0, tos: UInt8 = 0, table: UInt8 = 0,
                protocolID: UInt8 = 0, scope: UInt8 = 0, type: UInt8 = 0, flags: UInt32 = 0, attributes: [RouteAttribute] = []) {
        self.family = family
        self.destinationLength = destinationLength
        self.sourceLength = sourceLength
        self.tos = tos
        self.table = table
        self.protocolID = protocolID
        self.scope = scope
        self.type = type
        self.flags = flags
        self.attributes = attributes
    }

    public func encoded() -> [UInt8] {
        var writer = NetlinkByteWriter()
        for byte in [family, destinationLength, sourceLength, tos, table, protocolID, scope, type] { writer.append(byte) }
        writer.append(flags)
        writer.append(contentsOf: RouteAttribute.encode(attributes))
        return writer.bytes
    }

    public init(decoding payload: ArraySlice<UInt8>) throws(NetlinkDecodingError) {
        var reader = NetlinkByteReader(payload, context: "rtmsg")
        family = try reader.readUInt8()
        destinationLength = try reader.readUInt8()
        sourceLength = try reader.readUInt8()
        tos = try reader.readUInt8()
        table = try reader.readUInt8()
        protocolID = try reader.readUInt8()
        scope = try reader.readUInt8()
        type = try reader.readUInt8()
        flags = try reader.readUInt32()
        attributes = try RouteAttribute.decode(reader.readRest())
    }
}

/// RTM_NEWRULE/DELRULE/GETRULE payload (`struct fib_rule_hdr`), laid out as `RouteMessage`.
public typealias RuleMessage = RouteMessage
