@testable import Netlink
import Testing

@Suite struct NetlinkMessageTests {
    @Test func batchRoundTrips() throws {
        let messages = [
            NetlinkMessage(type: 16, flags: 0x605, sequence: 7, portID: 0, payload: [1, 2, 3]),
            NetlinkMessage(type: 24, flags: 0x5, sequence: 8, portID: 99, payload: Array(repeating: 0xAB, count: 12)),
            NetlinkMessage(type: 3, flags: 2, sequence: 9, portID: 1, payload: []),
        ]
        var writer = NetlinkByteWriter()
        messages.forEach { $0.encode(into: &writer) }
        #expect(writer.bytes.count == 20 + 28 + 16)
        #expect(try NetlinkMessage.decodeAll(writer.bytes[...]) == messages)
    }

    @Test func headerCarriesLengthWithoutPadding() {
        let bytes = NetlinkMessage(type: 16, flags: 1, payload: [9]).encoded()
        #expect(bytes.count == 20)
        #expect(Array(bytes[0..<4]) == [17, 0, 0, 0])
    }

    @Test(arguments: [
        Array(NetlinkMessage(type: 16, flags: 1, payload: [1, 2, 3, 4]).encoded().dropLast(2)),   // truncated payload
        [8, 0, 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0] as [UInt8],                             // length below header
        NetlinkMessage(type: 16, flags: 1, payload: []).encoded() + [1, 2, 3],                     // trailing junk
    ])
    func rejectsMalformed(bytes: [UInt8]) {
        #expect(throws: NetlinkDecodingError.self) { try NetlinkMessage.decodeAll(bytes[...]) }
    }
}

@Suite struct AcknowledgementTests {
    let request = NetlinkMessage(type: 24, flags: 0x605, sequence: 3, payload: Array(repeating: 1, count: 28))

    @Test func decodesErrnoAndExtendedAck() throws {
        let ack = Acknowledgement(errno: 101, extendedAck: "Nexthop has invalid gateway")
        let (payload, flags) = ack.encodedErrorPayload(echoing: request)
        #expect(try Acknowledgement(errorPayload: payload, flags: flags) == ack)
    }

    @Test func decodesPlainAck() throws {
        let (payload, flags) = Acknowledgement(errno: 0, extendedAck: nil).encodedErrorPayload(echoing: request)
        #expect(payload.count == 20)
        #expect(try Acknowledgement(errorPayload: payload, flags: flags) == Acknowledgement(errno: 0, extendedAck: nil))
    }

    @Test func skipsAnUncappedEchoedRequest() throws {
        // Without NETLINK_CAP_ACK the kernel echoes the whole request before the TLVs.
        var writer = NetlinkByteWriter()
        writer.append(Int32(-17))
        request.encode(into: &writer)
        writer.append(contentsOf: RouteAttribute.encode([RouteAttribute(type: 1, string: "File exists")]))
        let ack = try Acknowledgement(errorPayload: writer.bytes, flags: 0x200)
        #expect(ack == Acknowledgement(errno: 17, extendedAck: "File exists"))
    }

    @Test func rejectsShortPayload() {
        #expect(throws: NetlinkDecodingError.self) { try Acknowledgement(errorPayload: [0, 0, 0, 0, 16, 0], flags: 0x100) }
    }
}
