import BGPCore
import NetworkCore
import Testing

/// Byte-exact vectors and round trips of every message type (RFC 4271 §4, RFC 2918, RFC 5492).
@Suite("Wire: messages")
struct WireMessageTests {
    let options = BGPCodecOptions()

    @Test func keepaliveIsNineteenOctets() throws {
        let bytes = BGPMessage.keepalive.encode(options: options)
        #expect(bytes == WireBytes.message(type: 4, body: []))
        #expect(try WireBytes.decode(bytes) == .keepalive)
    }

    @Test func notificationVector() throws {
        let message = BGPMessage.notification(.cease(.maximumNumberOfPrefixesReached, data: [0, 1, 1, 0, 0, 0, 100]))
        let bytes = WireBytes.message(type: 3, body: [6, 1, 0, 1, 1, 0, 0, 0, 100])
        #expect(message.encode(options: options) == bytes)
        #expect(try WireBytes.decode(bytes) == message)
    }

    @Test func routeRefreshVector() throws {
        let message = BGPMessage.routeRefresh(RouteRefreshMessage(family: .ipv6Unicast))
        let bytes = WireBytes.message(type: 5, body: [0, 2, 0, 1])
        #expect(message.encode(options: options) == bytes)
        #expect(try WireBytes.decode(bytes) == message)
    }

    @Test func openVector() throws {
        let open = OpenMessage(myAS: 65001, holdTime: 90, bgpIdentifier: IPv4Address(10, 0, 0, 1),
                               capabilities: [.multiprotocol(.ipv4Unicast), .routeRefresh, .fourOctetAS(65001)])
        let capabilities: [UInt8] = [1, 4, 0, 1, 0, 1, 2, 0, 65, 4, 0, 0, 0xFD, 0xE9]
        let bytes = WireBytes.open(parameters: [2, UInt8(capabilities.count)] + capabilities)
        #expect(bytes.count == 45)
        #expect(BGPMessage.open(open).encode(options: options) == bytes)
        #expect(try WireBytes.decode(bytes) == .open(open))
    }

    @Test func openWithFourOctetASUsesASTrans() throws {
        let open = OpenMessage(asNumber: 4_200_000_001, holdTime: 180, bgpIdentifier: IPv4Address(192, 0, 2, 7),
                               capabilities: [.multiprotocol(.ipv6Unicast)])
        #expect(open.myAS == 23456)
        #expect(open.asNumber == 4_200_000_001)
        guard case .open(let decoded) = try WireBytes.decode(BGPMessage.open(open).encode(options: options)) else {
            Issue.record("not an OPEN")
            return
        }
        #expect(decoded == open)
        #expect(decoded.supportsFourOctetAS)
        #expect(decoded.families == [.ipv6Unicast])
    }

    @Test func gracefulRestartAndUnknownCapabilitiesRoundTrip() throws {
        let gr = GracefulRestartCapability(restarting: true, notification: false, restartTime: 120, families: [
            .init(family: .ipv4Unicast, forwardingPreserved: true),
            .init(family: .ipv6Unicast, forwardingPreserved: false),
        ])
        let open = OpenMessage(myAS: 65002, holdTime: 0, bgpIdentifier: IPv4Address(10, 254, 0, 2),
                               capabilities: [.gracefulRestart(gr), .unknown(code: 70, value: []), .unknown(code: 73, value: [3, 1, 2, 3])])
        let bytes = BGPMessage.open(open).encode(options: options)
        // GR: code 64, length 2 + 2 * 4, R bit and 120 seconds, then AFI/SAFI/flags per family.
        let grBytes: [UInt8] = [64, 10, 0x80, 120, 0, 1, 1, 0x80, 0, 2, 1, 0]
        #expect(bytes.count == 29 + 2 + grBytes.count + 2 + 6)
        #expect(Array(bytes[31..<31 + grBytes.count]) == grBytes)
        guard case .open(let decoded) = try WireBytes.decode(bytes) else {
            Issue.record("not an OPEN")
            return
        }
        #expect(decoded == open)
        #expect(decoded.gracefulRestart == gr)
    }

    @Test func capabilitiesInSeveralParametersAreJoined() throws {
        let parameters: [UInt8] = [2, 6, 1, 4, 0, 1, 0, 1, 2, 2, 2, 0]
        guard case .open(let open) = try WireBytes.decode(WireBytes.open(parameters: parameters)) else {
            Issue.record("not an OPEN")
            return
        }
        #expect(open.capabilities == [.multiprotocol(.ipv4Unicast), .routeRefresh])
    }

    @Test func frameLengthWaitsForTheHeader() throws {
        let bytes = BGPMessage.keepalive.encode(options: options)
        let partial = try Array(bytes.prefix(18)).withUnsafeBytes { try BGPMessage.frameLength($0) }
        let whole = try bytes.withUnsafeBytes { try BGPMessage.frameLength($0) }
        #expect(partial == nil)
        #expect(whole == 19)
    }

    @Test func extendedMessagesOnlyWhenNegotiated() throws {
        let extended = BGPCodecOptions(extendedMessage: true)
        let prefixes = (0..<5000).map { IPv4NLRI(address: UInt32($0) << 8, length: 24)! }
        var bytes: [UInt8] = []
        let count = UpdatePacker(options: extended).announce(prefixes, attributes: PathAttributes(
            origin: .igp, asPath: ASPath(sequence: [65001]), nextHop: .ipv4(IPv4Address(10, 0, 0, 1))), into: &bytes)
        #expect(count == 1)
        #expect(bytes.count > 4096)
        guard case .update(let update) = try WireBytes.decode(bytes, extended) else {
            Issue.record("not an UPDATE")
            return
        }
        #expect(update.nlri == prefixes)
        #expect(throws: BGPMessageError.self) { try WireBytes.decode(bytes) }
        // RFC 8654 §3: OPEN and KEEPALIVE stay within 4096 octets.
        let bigKeepalive = WireBytes.marker + [0x20, 0x00, 4] + [UInt8](repeating: 0, count: 8192 - 19)
        #expect(throws: BGPMessageError.self) { try WireBytes.decode(bigKeepalive, extended) }
        let open = OpenMessage(asNumber: 65001, holdTime: 90, bgpIdentifier: IPv4Address(10, 0, 0, 1),
                               capabilities: [.extendedMessage])
        guard case .open(let decoded) = try WireBytes.decode(BGPMessage.open(open).encode(options: extended)) else {
            Issue.record("not an OPEN")
            return
        }
        #expect(decoded.supportsExtendedMessage)
    }

    @Test func notificationNames() {
        #expect(NotificationMessage.cease(.maximumNumberOfPrefixesReached).name == "Cease / Maximum Number of Prefixes Reached")
        #expect(NotificationMessage(code: .updateMessageError, subcode: 11).name == "UPDATE Message Error / Malformed AS_PATH")
        #expect(NotificationMessage(code: .holdTimerExpired, subcode: 0).name == "Hold Timer Expired")
        #expect(NotificationMessage(code: NotificationCode(rawValue: 42), subcode: 0).name == "Unknown error code 42")
        for subcode in CeaseSubcode.allCases { #expect(!subcode.name.isEmpty) }
        for subcode in UpdateErrorSubcode.allCases {
            #expect(NotificationMessage(code: .updateMessageError, subcode: subcode.rawValue).subcodeName == subcode.name)
        }
        for subcode in OpenErrorSubcode.allCases {
            #expect(NotificationMessage(code: .openMessageError, subcode: subcode.rawValue).subcodeName == subcode.name)
        }
        for subcode in HeaderErrorSubcode.allCases {
            #expect(NotificationMessage(code: .messageHeaderError, subcode: subcode.rawValue).subcodeName == subcode.name)
        }
        #expect(NotificationMessage(code: .finiteStateMachineError, subcode: 2).subcodeName
            == "Receive Unexpected Message in OpenConfirm State")
    }

    @Test func openValidationAgainstConfiguration() throws {
        let open = OpenMessage(asNumber: 65001, holdTime: 90, bgpIdentifier: IPv4Address(10, 0, 0, 1), capabilities: [])
        try open.validate(expectedPeerAS: 65001, localIdentifier: IPv4Address(10, 0, 0, 2), localAS: 65002)
        #expect(open.negotiatedHoldTime(local: 30) == 30)
        let cases: [(UInt32, IPv4Address, UInt32, [Capability], OpenErrorSubcode)] = [
            (65009, IPv4Address(10, 0, 0, 2), 65002, [], .badPeerAS),
            (65001, IPv4Address(10, 0, 0, 1), 65001, [], .badBGPIdentifier),
            (65001, IPv4Address(10, 0, 0, 2), 65002, [.multiprotocol(.ipv6Unicast)], .unsupportedCapability),
        ]
        for (peerAS, localID, localAS, required, subcode) in cases {
            #expect {
                try open.validate(expectedPeerAS: peerAS, localIdentifier: localID, localAS: localAS,
                                  requiredCapabilities: required)
            } throws: { error in
                let error = error as? BGPMessageError
                return error?.code == .openMessageError && error?.subcode == subcode.rawValue
            }
        }
    }
}
