import BGPCore
import NetworkCore
import Testing

/// RFC 8950: the Extended Next Hop Encoding capability (code 5) and IPv4 routes whose
/// MP_REACH_NLRI carries an IPv6 next hop, accepted only where both sides announced it.
@Suite("Wire: RFC 8950 extended next hop")
struct WireExtendedNextHopTests {
    static let negotiated = BGPCodecOptions(ipv6NextHopFamilies: [.ipv4Unicast])
    static let global = IPv6Address("2001:db8::1")!
    static let linkLocal = IPv6Address("fe80::1")!

    @Test func capabilityVectorAndRoundTrip() throws {
        let open = OpenMessage(myAS: 65002, holdTime: 90, bgpIdentifier: IPv4Address(10, 0, 0, 2),
                               capabilities: [.extendedNextHop([.ipv4OverIPv6, ExtendedNextHop(family: AddressFamily(afi: 1, safi: 128), nextHopAFI: 2)])])
        let bytes = BGPMessage.open(open).encode(options: BGPCodecOptions())
        // Code 5, length 12: AFI 1, SAFI 1 (2 octets), next-hop AFI 2; then AFI 1, SAFI 128, AFI 2.
        #expect(bytes.containsRun([5, 12, 0, 1, 0, 1, 0, 2, 0, 1, 0, 128, 0, 2]))
        guard case .open(let decoded) = try WireBytes.decode(bytes) else {
            Issue.record("not an OPEN")
            return
        }
        #expect(decoded == open)
        #expect(decoded.extendedNextHops.first == .ipv4OverIPv6)
    }

    @Test func malformedCapabilityIsAnOpenError() throws {
        // 5 octets: not a whole tuple.
        let parameters: [UInt8] = [2, 7, 5, 5, 0, 1, 0, 1, 0]
        let body: [UInt8] = [4, 0xFD, 0xEA, 0, 90, 10, 0, 0, 2, UInt8(parameters.count)] + parameters
        let bytes = [UInt8](repeating: 0xFF, count: 16) + [0, UInt8(19 + body.count), 1] + body
        #expect(throws: BGPMessageError.self) { try WireBytes.decode(bytes) }
        // A SAFI above one octet stays raw (an unknown capability), losing nothing.
        let wide: [UInt8] = [2, 8, 5, 6, 0, 1, 0x01, 0x01, 0, 2]
        let wideBody: [UInt8] = [4, 0xFD, 0xEA, 0, 90, 10, 0, 0, 2, UInt8(wide.count)] + wide
        guard case .open(let open) = try WireBytes.decode([UInt8](repeating: 0xFF, count: 16) + [0, UInt8(19 + wideBody.count), 1] + wideBody) else {
            Issue.record("not an OPEN")
            return
        }
        #expect(open.capabilities == [.unknown(code: 5, value: [0, 1, 0x01, 0x01, 0, 2])])
    }

    /// IPv4 NLRI in MP_REACH_NLRI (AFI 1) with a 16- or 32-octet next hop.
    @Test func ipv4RouteWithIPv6NextHopDecodesWhenNegotiated() throws {
        for (hop, nextHop) in [(Self.global.bytes, NextHop.ipv6(global: Self.global, linkLocal: nil)),
                               (Self.global.bytes + Self.linkLocal.bytes, NextHop.ipv6(global: Self.global, linkLocal: Self.linkLocal))] {
            let reach: [UInt8] = [0, 1, 1, UInt8(hop.count)] + hop + [0, 24, 10, 9, 1]
            let bytes = WireBytes.update(attributes: WireBytes.attribute(0x80, 14, reach) + WireBytes.origin + WireBytes.asPath65001)
            let update = try WireBytes.decodeUpdate(bytes, Self.negotiated)
            #expect(update.errors.isEmpty)
            #expect(update.mpReach == MPReachNLRI(family: .ipv4Unicast, nextHop: nextHop,
                                                  prefixes: .ipv4([IPv4NLRI(IPPrefix("10.9.1.0/24")!)!])))
            #expect(BGPMessage.update(update).encode(options: Self.negotiated) == bytes)
            // Not negotiated: a 16-octet next hop for IPv4 is malformed, and MP_REACH errors reset the session.
            #expect(throws: BGPMessageError.self) { try WireBytes.decodeUpdate(bytes) }
        }
    }

    /// The packer puts IPv4 prefixes with an IPv6 next hop in MP_REACH_NLRI (the NEXT_HOP
    /// attribute cannot hold one), filling the messages, and they decode back.
    @Test func packerAnnouncesIPv4PrefixesThroughAnIPv6NextHop() throws {
        let attributes = PathAttributes(origin: .igp, asPath: ASPath(sequence: [65002]),
                                        nextHop: .ipv6(global: Self.global, linkLocal: Self.linkLocal))
        let prefixes = (0..<2000).map { IPv4NLRI(IPPrefix("10.\($0 / 256).\($0 % 256).0/24")!)! }
        var bytes: [UInt8] = []
        let messages = UpdatePacker(options: Self.negotiated).announce(prefixes, attributes: attributes, into: &bytes)
        let updates = try WirePackerTests.split(bytes, options: Self.negotiated)
        #expect(updates.count == messages && messages == 2)
        var received: [IPv4NLRI] = []
        for update in updates {
            #expect(update.nlri.isEmpty && update.attributes.nextHop == nil)
            #expect(update.mpReach?.nextHop == attributes.nextHop)
            if case .ipv4(let list)? = update.mpReach?.prefixes { received += list }
        }
        #expect(received == prefixes)
    }
}
