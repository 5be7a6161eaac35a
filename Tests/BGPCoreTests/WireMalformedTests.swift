import BGPCore
import Testing
import TestSupport

/// Malformed input, one row each, with the NOTIFICATION code/subcode and the RFC 7606 action
/// it must get (RFC 4271 §6.1-6.3, RFC 7606 §3-7, RFC 6793 §6, RFC 7313 §5).
@Suite("Wire: malformed messages")
struct WireMalformedTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var options = BGPCodecOptions()
        var code: UInt8
        var subcode: UInt8
        var action: BGPErrorAction
        var data: [UInt8]? = nil

        var testDescription: String { name }
    }

    typealias W = WireBytes
    static let external65001 = BGPCodecOptions(isExternal: true, peerAS: 65001)

    static let cases: [Case] = [
        // Header (RFC 4271 §6.1)
        Case(name: "marker not all ones", bytes: [0xFE] + W.message(type: 4, body: []).dropFirst(),
             code: 1, subcode: 1, action: .sessionReset),
        Case(name: "length 18", bytes: W.marker + [0, 18, 4], code: 1, subcode: 2, action: .sessionReset, data: [0, 18]),
        Case(name: "length 4097", bytes: W.marker + [0x10, 0x01, 2] + [UInt8](repeating: 0, count: 4078),
             code: 1, subcode: 2, action: .sessionReset, data: [0x10, 0x01]),
        Case(name: "unknown type 9", bytes: W.message(type: 9, body: []), code: 1, subcode: 3, action: .sessionReset, data: [9]),
        Case(name: "KEEPALIVE with a body", bytes: W.message(type: 4, body: [0]), code: 1, subcode: 2,
             action: .sessionReset, data: [0, 20]),
        Case(name: "NOTIFICATION without subcode", bytes: W.message(type: 3, body: [6]), code: 1, subcode: 2,
             action: .sessionReset),
        Case(name: "UPDATE shorter than 23", bytes: W.message(type: 2, body: [0, 0]), code: 1, subcode: 2,
             action: .sessionReset),
        Case(name: "ROUTE-REFRESH of 24 octets", bytes: W.message(type: 5, body: [0, 1, 0, 1, 0]), code: 7, subcode: 1,
             action: .sessionReset),
        // OPEN (RFC 4271 §6.2, RFC 5492, RFC 7607)
        Case(name: "OPEN version 3", bytes: W.open(version: 3), code: 2, subcode: 1, action: .sessionReset, data: [0, 4]),
        Case(name: "OPEN AS 0", bytes: W.open(myAS: 0), code: 2, subcode: 2, action: .sessionReset),
        Case(name: "OPEN 4-octet AS capability 0", bytes: W.open(parameters: [2, 6, 65, 4, 0, 0, 0, 0]),
             code: 2, subcode: 2, action: .sessionReset),
        Case(name: "OPEN BGP identifier 0.0.0.0", bytes: W.open(id: [0, 0, 0, 0]), code: 2, subcode: 3, action: .sessionReset),
        Case(name: "OPEN optional parameter type 1", bytes: W.open(parameters: [1, 1, 0]), code: 2, subcode: 4,
             action: .sessionReset),
        Case(name: "OPEN hold time 2", bytes: W.open(hold: 2), code: 2, subcode: 6, action: .sessionReset),
        Case(name: "OPEN parameters length disagrees", bytes: W.message(type: 1, body: [4, 0xFD, 0xE9, 0, 90, 10, 0, 0, 1, 5, 2, 0]),
             code: 1, subcode: 2, action: .sessionReset),
        Case(name: "OPEN capability overruns parameter", bytes: W.open(parameters: [2, 3, 1, 4, 0]), code: 2, subcode: 0,
             action: .sessionReset),
        // UPDATE: locating the fields (RFC 7606 §4, §5.3)
        Case(name: "withdrawn length overruns", bytes: W.message(type: 2, body: [0, 9, 0, 0]), code: 3, subcode: 1,
             action: .sessionReset),
        Case(name: "total attribute length overruns", bytes: W.message(type: 2, body: [0, 0, 0, 9, 0x40]), code: 3,
             subcode: 1, action: .sessionReset),
        Case(name: "withdrawn prefix /40", bytes: W.update(withdrawn: [40, 10, 0, 0, 0, 0]), code: 3, subcode: 10,
             action: .sessionReset),
        Case(name: "NLRI prefix /33", bytes: W.update(attributes: W.mandatory, nlri: [33, 10, 0, 0, 0, 0]), code: 3,
             subcode: 10, action: .sessionReset),
        Case(name: "NLRI prefix cut short", bytes: W.update(attributes: W.mandatory, nlri: [24, 10, 0]), code: 3,
             subcode: 10, action: .sessionReset),
        Case(name: "attribute overruns the attribute field", bytes: W.update(attributes: W.mandatory + [0x40, 1, 5, 0],
                                                                           nlri: W.nlri10_0_1),
             code: 3, subcode: 1, action: .treatAsWithdraw),
        Case(name: "two octets left in the attribute field", bytes: W.update(attributes: W.mandatory + [0x40, 1],
                                                                             nlri: W.nlri10_0_1),
             code: 3, subcode: 1, action: .treatAsWithdraw),
        // UPDATE: attributes (RFC 4271 §6.3 with RFC 7606 §7)
        Case(name: "unrecognized well-known attribute", bytes: W.update(attributes: W.mandatory + W.attribute(0x40, 99, [1]),
                                                                        nlri: W.nlri10_0_1),
             code: 3, subcode: 2, action: .sessionReset, data: [0x40, 99, 1, 1]),
        Case(name: "missing ORIGIN", bytes: W.update(attributes: W.asPath65001 + W.nextHop, nlri: W.nlri10_0_1),
             code: 3, subcode: 3, action: .treatAsWithdraw, data: [1]),
        Case(name: "missing AS_PATH", bytes: W.update(attributes: W.origin + W.nextHop, nlri: W.nlri10_0_1),
             code: 3, subcode: 3, action: .treatAsWithdraw, data: [2]),
        Case(name: "missing NEXT_HOP", bytes: W.update(attributes: W.origin + W.asPath65001, nlri: W.nlri10_0_1),
             code: 3, subcode: 3, action: .treatAsWithdraw, data: [3]),
        Case(name: "ORIGIN flagged optional", bytes: W.update(attributes: W.attribute(0xC0, 1, [0]) + W.asPath65001 + W.nextHop,
                                                              nlri: W.nlri10_0_1),
             code: 3, subcode: 4, action: .treatAsWithdraw, data: [0xC0, 1, 1, 0]),
        Case(name: "ORIGIN of 2 octets", bytes: W.update(attributes: W.attribute(0x40, 1, [0, 0]) + W.asPath65001 + W.nextHop,
                                                         nlri: W.nlri10_0_1),
             code: 3, subcode: 5, action: .treatAsWithdraw),
        Case(name: "ORIGIN value 5", bytes: W.update(attributes: W.attribute(0x40, 1, [5]) + W.asPath65001 + W.nextHop,
                                                     nlri: W.nlri10_0_1),
             code: 3, subcode: 6, action: .treatAsWithdraw, data: [0x40, 1, 1, 5]),
        Case(name: "NEXT_HOP 0.0.0.0", bytes: W.update(attributes: W.origin + W.asPath65001 + W.attribute(0x40, 3, [0, 0, 0, 0]),
                                                       nlri: W.nlri10_0_1),
             code: 3, subcode: 8, action: .treatAsWithdraw),
        Case(name: "NEXT_HOP multicast", bytes: W.update(attributes: W.origin + W.asPath65001 + W.attribute(0x40, 3, [224, 0, 0, 5]),
                                                         nlri: W.nlri10_0_1),
             code: 3, subcode: 8, action: .treatAsWithdraw),
        Case(name: "NEXT_HOP of 5 octets", bytes: W.update(attributes: W.origin + W.asPath65001 + W.attribute(0x40, 3, [10, 0, 0, 1, 0]),
                                                           nlri: W.nlri10_0_1),
             code: 3, subcode: 5, action: .treatAsWithdraw),
        Case(name: "AS_PATH segment type 7", bytes: W.update(attributes: W.origin + W.attribute(0x40, 2, [7, 1] + W.u32(65001)) + W.nextHop,
                                                             nlri: W.nlri10_0_1),
             code: 3, subcode: 11, action: .treatAsWithdraw),
        Case(name: "AS_PATH segment overrun", bytes: W.update(attributes: W.origin + W.attribute(0x40, 2, [2, 2] + W.u32(65001)) + W.nextHop,
                                                              nlri: W.nlri10_0_1),
             code: 3, subcode: 11, action: .treatAsWithdraw),
        Case(name: "AS_PATH empty segment", bytes: W.update(attributes: W.origin + W.attribute(0x40, 2, [2, 0]) + W.nextHop,
                                                            nlri: W.nlri10_0_1),
             code: 3, subcode: 11, action: .treatAsWithdraw),
        Case(name: "AS_PATH not starting with the peer's AS",
             bytes: W.update(attributes: W.origin + W.attribute(0x40, 2, [2, 1] + W.u32(65099)) + W.nextHop, nlri: W.nlri10_0_1),
             options: external65001, code: 3, subcode: 11, action: .treatAsWithdraw),
        Case(name: "AS_CONFED_SEQUENCE from an external peer",
             bytes: W.update(attributes: W.origin + W.attribute(0x40, 2, [3, 1] + W.u32(65100) + [2, 1] + W.u32(65001)) + W.nextHop,
                             nlri: W.nlri10_0_1),
             code: 3, subcode: 11, action: .treatAsWithdraw),
        Case(name: "AS 0 in AS_PATH (RFC 7607)",
             bytes: W.update(attributes: W.origin + W.attribute(0x40, 2, [2, 2] + W.u32(65001) + W.u32(0)) + W.nextHop,
                             nlri: W.nlri10_0_1),
             code: 3, subcode: 11, action: .treatAsWithdraw),
        Case(name: "AS 0 in AGGREGATOR (RFC 7607)",
             bytes: W.update(attributes: W.mandatory + W.attribute(0xC0, 7, W.u32(0) + [10, 0, 0, 1]), nlri: W.nlri10_0_1),
             code: 3, subcode: 9, action: .attributeDiscard),
        Case(name: "MED of 3 octets", bytes: W.update(attributes: W.mandatory + W.attribute(0x80, 4, [0, 0, 1]), nlri: W.nlri10_0_1),
             code: 3, subcode: 5, action: .treatAsWithdraw),
        Case(name: "MED flagged transitive", bytes: W.update(attributes: W.mandatory + W.attribute(0xC0, 4, [0, 0, 0, 1]),
                                                             nlri: W.nlri10_0_1),
             code: 3, subcode: 4, action: .treatAsWithdraw),
        Case(name: "LOCAL_PREF of 2 octets", bytes: W.update(attributes: W.mandatory + W.attribute(0x40, 5, [0, 1]), nlri: W.nlri10_0_1),
             options: BGPCodecOptions(isExternal: false), code: 3, subcode: 5, action: .treatAsWithdraw),
        Case(name: "ATOMIC_AGGREGATE with a value", bytes: W.update(attributes: W.mandatory + W.attribute(0x40, 6, [1]), nlri: W.nlri10_0_1),
             code: 3, subcode: 5, action: .attributeDiscard),
        Case(name: "AGGREGATOR of 5 octets", bytes: W.update(attributes: W.mandatory + W.attribute(0xC0, 7, [0, 1, 10, 0, 0]),
                                                             nlri: W.nlri10_0_1),
             code: 3, subcode: 5, action: .attributeDiscard),
        Case(name: "COMMUNITIES of 3 octets", bytes: W.update(attributes: W.mandatory + W.attribute(0xC0, 8, [0, 1, 2]), nlri: W.nlri10_0_1),
             code: 3, subcode: 5, action: .treatAsWithdraw),
        Case(name: "COMMUNITIES flagged non-transitive", bytes: W.update(attributes: W.mandatory + W.attribute(0x80, 8, [0, 1, 2, 3]),
                                                                         nlri: W.nlri10_0_1),
             code: 3, subcode: 4, action: .treatAsWithdraw),
        Case(name: "ORIGIN twice", bytes: W.update(attributes: W.mandatory + W.attribute(0x40, 1, [2]), nlri: W.nlri10_0_1),
             code: 3, subcode: 1, action: .attributeDiscard),
        Case(name: "malformed AS4_PATH on a 2-octet session",
             bytes: W.update(attributes: W.origin + W.attribute(0x40, 2, [2, 1, 0xFD, 0xE9]) + W.nextHop + W.attribute(0xC0, 17, [2, 1, 0]),
                             nlri: W.nlri10_0_1),
             options: BGPCodecOptions(fourOctetAS: false), code: 3, subcode: 9, action: .attributeDiscard),
        // MP attributes: the prefixes cannot be trusted, so the session goes (RFC 7606 §7.11)
        Case(name: "MP_REACH IPv6 next hop of 5 octets",
             bytes: W.update(attributes: W.attribute(0x80, 14, [0, 2, 1, 5, 1, 2, 3, 4, 5, 0]) + W.origin + W.asPath65001),
             code: 3, subcode: 9, action: .sessionReset),
        Case(name: "MP_REACH cut short", bytes: W.update(attributes: W.attribute(0x80, 14, [0, 2])), code: 3, subcode: 9,
             action: .sessionReset),
        Case(name: "MP_REACH IPv6 prefix /129",
             bytes: W.update(attributes: W.attribute(0x80, 14, [0, 2, 1, 16] + [UInt8](repeating: 0x20, count: 16) + [0, 129]
                 + [UInt8](repeating: 0, count: 17)) + W.origin + W.asPath65001),
             code: 3, subcode: 10, action: .sessionReset),
        Case(name: "MP_UNREACH twice",
             bytes: W.update(attributes: W.attribute(0x80, 15, [0, 2, 1]) + W.attribute(0x80, 15, [0, 2, 1])),
             code: 3, subcode: 1, action: .sessionReset),
        Case(name: "MP_UNREACH flagged transitive", bytes: W.update(attributes: W.attribute(0xC0, 15, [0, 2, 1])),
             code: 3, subcode: 4, action: .sessionReset),
    ]

    @Test(arguments: cases)
    func outcome(_ testCase: Case) throws {
        let error: BGPMessageError
        do {
            let message = try BGPMessage.decode(testCase.bytes, options: testCase.options)
            guard case .update(let update) = message, let first = update.errors.first else {
                Issue.record("\(testCase.name): decoded without error as \(message)")
                return
            }
            error = first
        } catch {
            let caught = error
            self.check(caught, testCase)
            return
        }
        check(error, testCase)
    }

    private func check(_ error: BGPMessageError, _ testCase: Case) {
        #expect(error.code.rawValue == testCase.code, "\(testCase.name): \(error)")
        #expect(error.subcode == testCase.subcode, "\(testCase.name): \(error)")
        #expect(error.action == testCase.action, "\(testCase.name): \(error)")
        if let data = testCase.data { #expect(error.data == data, "\(testCase.name): data") }
    }

    @Test func treatAsWithdrawStillDecodesThePrefixes() throws {
        let bytes = WireBytes.update(withdrawn: [16, 10, 9], attributes: WireBytes.origin + WireBytes.asPath65001,
                                     nlri: WireBytes.nlri10_0_1)
        let update = try WireBytes.decodeUpdate(bytes)
        #expect(update.isTreatAsWithdraw)
        #expect(update.nlri.map(\.description) == ["10.0.1.0/24"])
        #expect(update.withdrawn.map(\.description) == ["10.9.0.0/16"])
    }

    @Test func discardedAttributeLeavesTheRouteUsable() throws {
        let bytes = WireBytes.update(attributes: WireBytes.mandatory + WireBytes.attribute(0x40, 6, [1]), nlri: WireBytes.nlri10_0_1)
        let update = try WireBytes.decodeUpdate(bytes)
        #expect(!update.isTreatAsWithdraw)
        #expect(update.attributes.atomicAggregate == false)
        #expect(update.attributes.origin == .igp)
    }

    @Test func missingAttributesDoNotMatterWithoutNLRI() throws {
        let update = try WireBytes.decodeUpdate(WireBytes.update(withdrawn: [8, 10], attributes: WireBytes.origin))
        #expect(update.errors.isEmpty)
    }

    /// Random damage to valid messages: decoding must never trap, and whatever decodes must
    /// re-encode to something that decodes to the same value.
    @Test func randomDamageNeverTraps() throws {
        var generator = SeededGenerator(seed: 0x7E77A1)
        let options = [BGPCodecOptions(), BGPCodecOptions(fourOctetAS: false, isExternal: false)]
        let seeds = Self.cases.map(\.bytes) + [
            WireBytes.update(attributes: WireBytes.mandatory + WireBytes.attribute(0xC0, 8, [0, 1, 2, 3]), nlri: WireBytes.nlri10_0_1),
            WireBytes.open(parameters: [2, 6, 1, 4, 0, 2, 0, 1]),
        ]
        for round in 0..<20_000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + Int(generator.next() % 4)) where bytes.count > 19 {
                let index = 16 + Int(generator.next() % UInt64(bytes.count - 16))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            if generator.next() % 5 == 0 { bytes.removeLast(Int(generator.next() % UInt64(min(bytes.count, 8)))) }
            let option = options[round % 2]
            guard let message = try? BGPMessage.decode(bytes, options: option) else { continue }
            if case .update(let update) = message, !update.errors.isEmpty { continue }
            let again = try BGPMessage.decode(message.encode(options: option), options: option)
            #expect(again == message)
        }
    }
}
