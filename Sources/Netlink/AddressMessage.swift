/// RTM_NEWADDR/DELADDR/GETADDR payload: `struct ifaddrmsg` plus attributes.
public struct AddressMessage: Hashable, Sendable {
    public var family: UInt8
    public var prefixLength: UInt8
    public var flags: UInt8
    public var scope: UInt8
    public var index: UInt32
    public var attributes: [RouteAttribute]

    public init(family: UInt8, prefixLength: UInt8 = 0, flags: UInt8 = 0, scope: UInt8 = 0, index: UInt32 = 0,
                attributes: [RouteAttribute] = []) {
        self.family = family
        self.prefixLength = prefixLength
        self.flags = flags
        self.scope = scope
        self.index = index
        self.attributes = attributes
    }

    public func encoded() -> [UInt8] {
        var writer = NetlinkByteWriter()
        writer.append(family)
        writer.append(prefixLength)
        writer.append(flags)
        writer.append(scope)
        writer.append(index)
        writer.append(contentsOf: RouteAttribute.encode(attributes))
        return writer.bytes
    }

    public init(decoding payload: ArraySlice<UInt8>) throws(NetlinkDecodingError) {
        var reader = NetlinkByteReader(payload, context: "ifaddrmsg")
        family = try reader.readUInt8()
        prefixLength = try reader.readUInt8()
        flags = try reader.readUInt8()
        scope = try reader.readUInt8()
        index = try reader.readUInt32()
        attributes = try RouteAttribute.decode(reader.readRest())
    }
}
