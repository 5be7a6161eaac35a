import CNetlink

/// The payload of NLMSG_ERROR (an ACK when `errno` is 0) and of a dump's NLMSG_DONE:
/// `struct nlmsgerr` plus, with NETLINK_EXT_ACK, the kernel's explanation.
public struct Acknowledgement: Hashable, Sendable {
    /// A positive errno, or 0 for success.
    public let errno: Int32
    /// NLMSGERR_ATTR_MSG: the kernel's text (`Nexthop has invalid gateway`).
    public let extendedAck: String?

    public init(errno: Int32, extendedAck: String?) {
        self.errno = errno
        self.extendedAck = extendedAck
    }

    /// Decodes an NLMSG_ERROR payload. `flags` are the message's header flags: NLM_F_CAPPED
    /// says the echoed request is only its header, NLM_F_ACK_TLVS that attributes follow.
    public init(errorPayload payload: [UInt8], flags: UInt16) throws(NetlinkDecodingError) {
        var reader = NetlinkByteReader(payload[...], context: "nlmsgerr")
        let error = try reader.readInt32()
        let echoedLength = Int(try reader.readUInt32())
        _ = try reader.readBytes(NetlinkMessage.headerSize - 4)
        if flags & UInt16(NLM_F_CAPPED) == 0 {
            _ = try reader.readBytes(max(0, echoedLength - NetlinkMessage.headerSize))
            reader.skipPadding(after: echoedLength)
        }
        var text: String?
        if flags & UInt16(NLM_F_ACK_TLVS) != 0 {
            let attributes = try RouteAttribute.decode(reader.readRest())
            text = attributes.first(NLMSGERR_ATTR_MSG.rawValue)?.string()
        }
        self.init(errno: -error, extendedAck: text)
    }

    /// Encodes as the kernel does with NETLINK_CAP_ACK (request header echoed, payload left out).
    public func encodedErrorPayload(echoing request: NetlinkMessage) -> (payload: [UInt8], flags: UInt16) {
        var writer = NetlinkByteWriter()
        writer.append(-errno)
        var header = request
        header.payload = []
        var echoed = NetlinkByteWriter()
        header.encode(into: &echoed)
        var bytes = echoed.bytes
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(NetlinkMessage.headerSize + request.payload.count), as: UInt32.self) }
        writer.append(contentsOf: bytes)
        var flags = UInt16(NLM_F_CAPPED)
        if let extendedAck {
            flags |= UInt16(NLM_F_ACK_TLVS)
            writer.append(contentsOf: RouteAttribute.encode([RouteAttribute(type: UInt16(NLMSGERR_ATTR_MSG.rawValue), string: extendedAck)]))
        }
        return (writer.bytes, flags)
    }
}
