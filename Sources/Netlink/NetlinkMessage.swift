import CNetlink

/// One netlink message: `struct nlmsghdr` and its payload.
public struct NetlinkMessage: Hashable, Sendable {
    public var type: UInt16
    public var flags: UInt16
    public var sequence: UInt32
    public var portID: UInt32
    public var payload: [UInt8]

    static let headerSize = 16

    public init(type: UInt16, flags: UInt16, sequence: UInt32 = 0, portID: UInt32 = 0, payload: [UInt8]) {
        self.type = type
        self.flags = flags
        self.sequence = sequence
        self.portID = portID
        self.payload = payload
    }

    /// Appends header, payload and padding; messages encoded back to back form one batch.
    func encode(into writer: inout NetlinkByteWriter) {
        writer.append(UInt32(Self.headerSize + payload.count))
        writer.append(type)
        writer.append(flags)
        writer.append(sequence)
        writer.append(portID)
        writer.append(contentsOf: payload)
        writer.padToAlignment()
    }

    public func encoded() -> [UInt8] {
        var writer = NetlinkByteWriter(capacity: Self.headerSize + payload.count + 3)
        encode(into: &writer)
        return writer.bytes
    }

    /// Splits a datagram into its messages; throws when a length is below the header or past the end.
    public static func decodeAll(_ bytes: ArraySlice<UInt8>) throws(NetlinkDecodingError) -> [NetlinkMessage] {
        var reader = NetlinkByteReader(bytes, context: "nlmsghdr")
        var messages: [NetlinkMessage] = []
        while reader.remaining >= headerSize {
            let length = Int(try reader.readUInt32())
            let type = try reader.readUInt16()
            let flags = try reader.readUInt16()
            let sequence = try reader.readUInt32()
            let portID = try reader.readUInt32()
            guard length >= headerSize else { throw NetlinkDecodingError("nlmsghdr: length \(length) below header") }
            let payload = try reader.readBytes(length - headerSize)
            messages.append(NetlinkMessage(type: type, flags: flags, sequence: sequence, portID: portID, payload: Array(payload)))
            reader.skipPadding(after: length)
        }
        guard reader.remaining == 0 else { throw NetlinkDecodingError("nlmsghdr: \(reader.remaining) trailing bytes") }
        return messages
    }

    var isError: Bool { type == UInt16(NLMSG_ERROR) }
    var isDone: Bool { type == UInt16(NLMSG_DONE) }
}
