import NetworkCore

/// OPEN body layout (RFC 4271 §4.2) and its checks (§6.2, RFC 5492, RFC 6793, RFC 7607).
extension OpenMessage {
    static let capabilitiesParameter: UInt8 = 2

    static func decode(body: UnsafeRawBufferPointer) throws(BGPMessageError) -> OpenMessage {
        var reader = BGPByteReader(body)
        guard let version = reader.u8(), let myAS = reader.u16(), let hold = reader.u16(),
              let id = reader.u32(), let paramsLength = reader.u8() else {
            throw .header(.badMessageLength, data: lengthField(body), "OPEN body too short")
        }
        guard version == 4 else {
            throw .open(.unsupportedVersionNumber, data: [0, 4], "version \(version), only 4 is supported")
        }
        guard Int(paramsLength) == reader.remaining else {
            throw .header(.badMessageLength, data: lengthField(body),
                          "optional parameters length \(paramsLength) but \(reader.remaining) octets follow")
        }
        var capabilities: [Capability] = []
        while !reader.isAtEnd {
            guard let type = reader.u8(), let length = reader.u8(), let value = reader.slice(Int(length)) else {
                throw .malformedOpen("optional parameter overruns the OPEN")
            }
            guard type == capabilitiesParameter else {
                throw .open(.unsupportedOptionalParameter, "optional parameter type \(type)")
            }
            capabilities += try Capability.decodeList(value)
        }
        let open = OpenMessage(version: version, myAS: myAS, holdTime: hold,
                               bgpIdentifier: IPv4Address(id), capabilities: capabilities)
        try open.checkFields()
        return open
    }

    /// The checks that need no configuration.
    private func checkFields() throws(BGPMessageError) {
        guard holdTime == 0 || holdTime >= 3 else {
            throw .open(.unacceptableHoldTime, "hold time \(holdTime) (must be 0 or at least 3)")
        }
        guard bgpIdentifier.value != 0 else {
            throw .open(.badBGPIdentifier, "BGP identifier 0.0.0.0")
        }
        guard myAS != 0, asNumber != 0 else {
            throw .open(.badPeerAS, "AS 0 (RFC 7607)")
        }
    }

    /// The checks against configuration (RFC 4271 §6.2, RFC 6286 §2.2, RFC 5492 §5): the
    /// peer's AS, a BGP identifier equal to ours on an iBGP session, capabilities we insist on.
    public func validate(expectedPeerAS: UInt32, localIdentifier: IPv4Address, localAS: UInt32,
                         requiredCapabilities: [Capability] = []) throws(BGPMessageError) {
        guard asNumber == expectedPeerAS else {
            throw .open(.badPeerAS, data: [UInt8(truncatingIfNeeded: myAS >> 8), UInt8(truncatingIfNeeded: myAS)],
                        "peer AS \(asNumber), configured \(expectedPeerAS)")
        }
        if expectedPeerAS == localAS, bgpIdentifier == localIdentifier {
            throw .open(.badBGPIdentifier, "iBGP peer uses our own BGP identifier \(bgpIdentifier)")
        }
        let missing = requiredCapabilities.filter { !capabilities.contains($0) }
        guard missing.isEmpty else {
            var data: [UInt8] = []
            for capability in missing { capability.encode(into: &data) }
            throw .open(.unsupportedCapability, data: data, "peer lacks required capabilities")
        }
    }

    /// The session's hold time: the smaller of both proposals (RFC 4271 §4.2).
    public func negotiatedHoldTime(local: UInt16) -> UInt16 { min(local, holdTime) }

    func encodeBody(into out: inout [UInt8]) {
        out.append(version)
        out.appendU16(myAS)
        out.appendU16(holdTime)
        out.appendU32(bgpIdentifier.value)
        var caps: [UInt8] = []
        for capability in capabilities { capability.encode(into: &caps) }
        if caps.isEmpty {
            out.append(0)
            return
        }
        // One Capabilities parameter per 255 octets of capabilities.
        var chunks: [[UInt8]] = [[]]
        var index = 0
        while index < caps.count {
            let length = Int(caps[index + 1]) + 2
            if chunks[chunks.count - 1].count + length > 255 { chunks.append([]) }
            chunks[chunks.count - 1] += caps[index..<index + length]
            index += length
        }
        out.append(UInt8(truncatingIfNeeded: chunks.reduce(0) { $0 + $1.count + 2 }))
        for chunk in chunks {
            out.append(Self.capabilitiesParameter)
            out.append(UInt8(truncatingIfNeeded: chunk.count))
            out += chunk
        }
    }

    private static func lengthField(_ body: UnsafeRawBufferPointer) -> [UInt8] {
        let total = body.count + BGPHeader.length
        return [UInt8(truncatingIfNeeded: total >> 8), UInt8(truncatingIfNeeded: total)]
    }
}
