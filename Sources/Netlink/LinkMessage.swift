/// RTM_NEWLINK/DELLINK/GETLINK/SETLINK payload: `struct ifinfomsg` plus attributes.
public struct LinkMessage: Hashable, Sendable {
    public var family: UInt8 = 0
    public var deviceType: UInt16 = 0
    public var index: Int32 = 0
    public var flags: UInt32 = 0
    public var change: UInt32 = 0
    public var attributes: [RouteAttribute] = []

    static let headerSize = 16

    public init(family: UInt8 = 0, index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0, attributes: [RouteAttribute] = []) {
        self.family = family
        self.index = index
        self.flags = flags
        self.change = change
        self.attributes = attributes
    }

    public func encoded() -> [UInt8] {
        var writer = NetlinkByteWriter()
        writer.append(family)
        writer.append(UInt8(0))
        writer.append(deviceType)
        writer.append(index)
        writer.append(flags)
        writer.append(change)
        writer.append(contentsOf: RouteAttribute.encode(attributes))
        return writer.bytes
    }

    public init(decoding payload: ArraySlice<UInt8>) throws(NetlinkDecodingError) {
        var reader = NetlinkByteReader(payload, context: "ifinfomsg")
        family = try reader.readUInt8()
        _ = try reader.readUInt8()
        deviceType = try reader.readUInt16()
        index = try reader.readInt32()
        flags = try reader.readUInt32()
        change = try reader.readUInt32()
        attributes = try RouteAttribute.decode(reader.readRest())
    }
}
