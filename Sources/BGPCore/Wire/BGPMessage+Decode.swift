/// Framing and decoding of whole messages (RFC 4271 §4.1, §6.1).
extension BGPMessage {
    /// Checks the header at the start of `bytes` and returns the message's total length, or
    /// nil while fewer than 19 octets have arrived. A session reads this many octets and then
    /// calls `decode`. `maxLength` is 4096, or 65535 after RFC 8654 was negotiated
    /// (`options.maxMessageLength`); OPEN and KEEPALIVE stay within 4096 regardless.
    public static func frameLength(_ bytes: UnsafeRawBufferPointer,
                                   maxLength: Int = BGPHeader.maxMessageLength) throws(BGPMessageError) -> Int? {
        guard bytes.count >= BGPHeader.length else { return nil }
        for i in 0..<BGPHeader.markerLength where bytes[i] != 0xFF {
            throw .header(.connectionNotSynchronized, "marker is not all ones")
        }
        let length = Int(bytes[16]) << 8 | Int(bytes[17])
        let type = bytes[18]
        guard let messageType = BGPMessageType(rawValue: type) else {
            throw .header(.badMessageType, data: [type], "unknown message type \(type)")
        }
        let limit = messageType == .open || messageType == .keepalive ? BGPHeader.maxMessageLength : maxLength
        guard length >= BGPHeader.length, length <= limit, messageType.acceptsLength(length) else {
            throw .header(.badMessageLength, data: [bytes[16], bytes[17]],
                          "length \(length) is not valid for \(messageType)")
        }
        return length
    }

    /// Decodes exactly one message (header included). Throws the NOTIFICATION to send when
    /// the message must reset the session; weaker RFC 7606 outcomes come back inside the
    /// UPDATE.
    public static func decode(_ bytes: UnsafeRawBufferPointer,
                              options: BGPCodecOptions) throws(BGPMessageError) -> BGPMessage {
        guard let length = try frameLength(bytes, maxLength: options.maxMessageLength) else {
            throw .header(.badMessageLength, data: [0, UInt8(truncatingIfNeeded: bytes.count)],
                          "message shorter than the 19-octet header")
        }
        guard length == bytes.count else {
            throw .header(.badMessageLength, data: [bytes[16], bytes[17]],
                          "header says \(length) octets, \(bytes.count) given")
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[BGPHeader.length...])
        switch BGPMessageType(rawValue: bytes[18]) {
        case .open: return .open(try OpenMessage.decode(body: body))
        case .update: return .update(try UpdateMessage.decode(body: body, options: options))
        case .notification:
            return .notification(NotificationMessage(code: NotificationCode(rawValue: body[0]),
                                                     subcode: body[1], data: Array(body[2...])))
        case .keepalive: return .keepalive
        case .routeRefresh:
            guard body.count == 4 else {
                throw BGPMessageError(code: .routeRefreshMessageError,
                                      subcode: RouteRefreshErrorSubcode.invalidMessageLength.rawValue,
                                      data: Array(bytes), reason: "ROUTE-REFRESH of \(length) octets")
            }
            let afi = UInt16(body[0]) << 8 | UInt16(body[1])
            return .routeRefresh(RouteRefreshMessage(family: AddressFamily(afi: afi, safi: body[3]),
                                                     subtype: body[2]))
        case nil: throw .header(.badMessageType, data: [bytes[18]], "unknown message type")
        }
    }

    public static func decode(_ bytes: [UInt8], options: BGPCodecOptions) throws(BGPMessageError) -> BGPMessage {
        // withUnsafeBytes cannot forward a typed throw, so the result travels out as a Result.
        let result: Result<BGPMessage, BGPMessageError> = bytes.withUnsafeBytes { raw in
            do throws(BGPMessageError) { return .success(try decode(raw, options: options)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension BGPMessageType {
    /// Per-type length rules of RFC 4271 §6.1 (and RFC 2918 for ROUTE-REFRESH, whose wrong
    /// length RFC 7313 reports with its own code, so it passes here and fails in decode).
    func acceptsLength(_ length: Int) -> Bool {
        switch self {
        case .open: length >= 29
        case .update: length >= 23
        case .notification: length >= 21
        case .keepalive: length == 19
        case .routeRefresh: length >= 23
        }
    }
}
