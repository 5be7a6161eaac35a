import BGPCore
import NetworkCore
import Testing

/// UPDATE vectors and round trips: every attribute, MP_REACH/MP_UNREACH for both families,
/// 2- and 4-octet AS sessions (RFC 4271 §4.3, RFC 4760, RFC 6793, RFC 1997).
@Suite("Wire: UPDATE")
struct WireUpdateTests {
    static func v4(_ text: String) -> IPv4NLRI { IPv4NLRI(IPPrefix(text)!)! }
    static func v6(_ text: String) -> IPv6NLRI { IPv6NLRI(IPPrefix(text)!)! }

    @Test func ipv4UpdateVector() throws {
        let update = UpdateMessage(
            withdrawn: [Self.v4("10.1.0.0/16")],
            attributes: PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001, 65002]),
                                       nextHop: .ipv4(IPv4Address(192, 0, 2, 1)), med: 50,
                                       communities: [Community(asNumber: 65001, value: 100), .noExport]),
            nlri: [Self.v4("10.0.1.0/24"), Self.v4("0.0.0.0/0"), Self.v4("192.168.0.0/16")])
        let attributes: [UInt8] = [
            0x40, 1, 1, 0,
            0x40, 2, 10, 2, 2, 0, 0, 0xFD, 0xE9, 0, 0, 0xFD, 0xEA,
            0x40, 3, 4, 192, 0, 2, 1,
            0x80, 4, 4, 0, 0, 0, 50,
            0xC0, 8, 8, 0xFD, 0xE9, 0, 100, 0xFF, 0xFF, 0xFF, 0x01,
        ]
        let bytes = WireBytes.update(withdrawn: [16, 10, 1], attributes: attributes,
                                     nlri: [24, 10, 0, 1, 0, 16, 192, 168])
        #expect(bytes.count == 76)
        #expect(BGPMessage.update(update).encode(options: BGPCodecOptions()) == bytes)
        #expect(try WireBytes.decodeUpdate(bytes) == update)
    }

    @Test func ipv6MPReachVector() throws {
        let global = IPv6Address("2001:db8::1")!
        let linkLocal = IPv6Address("fe80::1")!
        let reach: [UInt8] = [0, 2, 1, 32] + global.bytes + linkLocal.bytes + [0, 64, 0x20, 0x01, 0x0D, 0xB8, 0, 1, 0, 0]
        let attributes = WireBytes.attribute(0x80, 14, reach) + WireBytes.origin + WireBytes.asPath65001
        let bytes = WireBytes.update(attributes: attributes)
        let update = try WireBytes.decodeUpdate(bytes)
        #expect(update.errors.isEmpty)
        #expect(update.mpReach == MPReachNLRI(family: .ipv6Unicast, nextHop: .ipv6(global: global, linkLocal: linkLocal),
                                              prefixes: .ipv6([Self.v6("2001:db8:1::/64")])))
        #expect(update.attributes.asPath == ASPath(sequence: [65001]))
        #expect(BGPMessage.update(update).encode(options: BGPCodecOptions()) == bytes)
    }

    @Test func mpUnreachAndIPv4OverMP() throws {
        let update = UpdateMessage(
            attributes: PathAttributes(origin: .egp, asPath: ASPath(sequence: [65001])),
            mpReach: MPReachNLRI(family: .ipv4Unicast, nextHop: .ipv4(IPv4Address(198, 51, 100, 1)),
                                 prefixes: .ipv4([Self.v4("10.9.0.0/16")])),
            mpUnreach: MPUnreachNLRI(family: .ipv6Unicast, prefixes: .ipv6([Self.v6("2001:db8:ff::/48"), Self.v6("::/0")])))
        let bytes = BGPMessage.update(update).encode(options: BGPCodecOptions())
        #expect(try WireBytes.decodeUpdate(bytes) == update)
        // MP_UNREACH: AFI 2, SAFI 1, then /48 and /0.
        let unreach = WireBytes.attribute(0x80, 15, [0, 2, 1, 48, 0x20, 0x01, 0x0D, 0xB8, 0, 0xFF, 0])
        #expect(bytes.containsRun(unreach))
    }

    @Test func everyAttributeRoundTripsOnBothASWidths() throws {
        let attributes = PathAttributes(
            origin: .incomplete,
            asPath: ASPath(segments: [.init(type: .sequence, asNumbers: [65001, 4_200_000_000, 7]),
                                      .init(type: .set, asNumbers: [100, 4_200_000_001])]),
            nextHop: .ipv4(IPv4Address(10, 0, 0, 9)), med: 0, localPref: 200, atomicAggregate: true,
            aggregator: Aggregator(asNumber: 4_200_000_000, address: IPv4Address(10, 0, 0, 1)),
            communities: [.noAdvertise, .noExportSubconfed, .noPeer, Community(asNumber: 1, value: 2)],
            unknown: [RawAttribute(flags: 0xE0, type: 32, value: [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]),
                      RawAttribute(flags: 0xE0, type: 99, value: Array(repeating: 7, count: 300))])
        let update = UpdateMessage(attributes: attributes, nlri: [Self.v4("10.0.0.0/8")])
        for fourOctet in [true, false] {
            let options = BGPCodecOptions(fourOctetAS: fourOctet, isExternal: false)
            let bytes = BGPMessage.update(update).encode(options: options)
            let decoded = try WireBytes.decodeUpdate(bytes, options)
            #expect(decoded.errors.isEmpty)
            #expect(decoded == update, "fourOctetAS \(fourOctet)")
        }
    }

    @Test func twoOctetSessionWritesASTransAndAS4Path() throws {
        let update = UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001, 4_200_000_000]),
                                                              nextHop: .ipv4(IPv4Address(10, 0, 0, 9))),
                                   nlri: [Self.v4("10.0.0.0/8")])
        let bytes = BGPMessage.update(update).encode(options: BGPCodecOptions(fourOctetAS: false))
        let asPath: [UInt8] = [0x40, 2, 6, 2, 2, 0xFD, 0xE9, 0x5B, 0xA0]
        let as4Path: [UInt8] = [0xC0, 17, 10, 2, 2, 0, 0, 0xFD, 0xE9, 0xFA, 0x56, 0xEA, 0x00]
        #expect(bytes.containsRun(asPath))
        #expect(bytes.containsRun(as4Path))
    }

    @Test func as4PathMergesBehindLongerASPath() throws {
        // An OLD speaker (65010) prepended itself in front of what a NEW speaker sent.
        let asPath = WireBytes.attribute(0x40, 2, [2, 3, 0xFD, 0xF2, 0x5B, 0xA0, 0xFD, 0xE9])
        let as4Path = WireBytes.attribute(0xC0, 17, [2, 2] + WireBytes.u32(4_200_000_000) + WireBytes.u32(65001))
        let bytes = WireBytes.update(attributes: WireBytes.origin + asPath + WireBytes.nextHop + as4Path,
                                     nlri: WireBytes.nlri10_0_1)
        let update = try WireBytes.decodeUpdate(bytes, BGPCodecOptions(fourOctetAS: false))
        #expect(update.attributes.asPath == ASPath(segments: [
            .init(type: .sequence, asNumbers: [65010]), .init(type: .sequence, asNumbers: [4_200_000_000, 65001]),
        ]))
        #expect(update.attributes.asPath.length == 3)
        // On a 4-octet session AS4_PATH is ignored (RFC 6793 §4.1).
        let fourOctet = WireBytes.attribute(0x40, 2, [2, 1] + WireBytes.u32(65001))
        let ignored = try WireBytes.decodeUpdate(
            WireBytes.update(attributes: WireBytes.origin + fourOctet + WireBytes.nextHop + as4Path, nlri: WireBytes.nlri10_0_1))
        #expect(ignored.attributes.asPath == ASPath(sequence: [65001]))
    }

    @Test func as4PathIsIgnoredOnlyBehindAnOldAggregator() throws {
        let asPath = WireBytes.attribute(0x40, 2, [2, 2, 0xFD, 0xE9, 0x5B, 0xA0])
        let as4Path = WireBytes.attribute(0xC0, 17, [2, 2] + WireBytes.u32(65001) + WireBytes.u32(4_200_000_000))
        let options = BGPCodecOptions(fourOctetAS: false)
        // AGGREGATOR with a real 2-octet AS and no AS4_AGGREGATOR: AS4_PATH still counts.
        let aggregator = WireBytes.attribute(0xC0, 7, [0xFD, 0xEA, 10, 0, 0, 1])
        let kept = try WireBytes.decodeUpdate(
            WireBytes.update(attributes: WireBytes.origin + asPath + WireBytes.nextHop + aggregator + as4Path, nlri: WireBytes.nlri10_0_1),
            options)
        #expect(kept.attributes.asPath == ASPath(sequence: [65001, 4_200_000_000]))
        #expect(kept.attributes.aggregator?.asNumber == 65002)
        // ...and the encoder's output for such a route decodes back to it.
        #expect(try WireBytes.decodeUpdate(BGPMessage.update(kept).encode(options: options), options) == kept)
        // Both AGGREGATOR (not AS_TRANS) and AS4_AGGREGATOR: an OLD speaker aggregated, AS4_* are stale.
        let as4Aggregator = WireBytes.attribute(0xC0, 18, WireBytes.u32(4_200_000_001) + [10, 0, 0, 2])
        let stale = try WireBytes.decodeUpdate(
            WireBytes.update(attributes: WireBytes.origin + asPath + WireBytes.nextHop + aggregator + as4Path + as4Aggregator,
                             nlri: WireBytes.nlri10_0_1), options)
        #expect(stale.attributes.asPath == ASPath(sequence: [65001, 23456]))
        #expect(stale.attributes.aggregator?.asNumber == 65002)
    }

    @Test func unknownOptionalAttributes() throws {
        let transitive = WireBytes.attribute(0xC0, 200, [1, 2, 3])
        let nonTransitive = WireBytes.attribute(0x80, 201, [4])
        let early = WireBytes.attribute(0xC0, 40, [9])
        let bytes = WireBytes.update(attributes: WireBytes.mandatory + transitive + nonTransitive + early,
                                     nlri: WireBytes.nlri10_0_1)
        let update = try WireBytes.decodeUpdate(bytes)
        // Transitive ones are kept (in type order) and marked Partial; non-transitive ones are
        // dropped (RFC 4271 §5).
        #expect(update.attributes.unknown == [RawAttribute(flags: 0xE0, type: 40, value: [9]),
                                              RawAttribute(flags: 0xE0, type: 200, value: [1, 2, 3])])
        #expect(update.errors.isEmpty)
    }

    @Test func extendedLengthIsAcceptedAndUsedWhenNeeded() throws {
        let communities = (0..<100).map { Community(asNumber: 65000, value: UInt16($0)) }
        let update = UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001]),
                                                              nextHop: .ipv4(IPv4Address(10, 0, 0, 1)), communities: communities),
                                   nlri: [Self.v4("10.0.0.0/8")])
        let bytes = BGPMessage.update(update).encode(options: BGPCodecOptions())
        #expect(bytes.containsRun([0xD0, 8, 1, 144]))
        #expect(try WireBytes.decodeUpdate(bytes) == update)
        // A small attribute with the Extended Length bit set is fine too.
        let extendedOrigin: [UInt8] = [0x50, 1, 0, 1, 2]
        let decoded = try WireBytes.decodeUpdate(WireBytes.update(
            attributes: extendedOrigin + WireBytes.asPath65001 + WireBytes.nextHop, nlri: WireBytes.nlri10_0_1))
        #expect(decoded.attributes.origin == .incomplete)
    }

    @Test func hostBitsAreClearedAndLocalPrefFromEBGPIgnored() throws {
        let localPref = WireBytes.attribute(0x40, 5, WireBytes.u32(300))
        let bytes = WireBytes.update(attributes: WireBytes.mandatory + localPref, nlri: [23, 10, 0, 3])
        let external = try WireBytes.decodeUpdate(bytes)
        #expect(external.nlri == [Self.v4("10.0.2.0/23")])
        #expect(external.attributes.localPref == nil)
        let fromIBGP = try WireBytes.decodeUpdate(bytes, BGPCodecOptions(isExternal: false))
        #expect(fromIBGP.attributes.localPref == 300)
    }

    @Test func endOfRIBMarkers() throws {
        for family in [AddressFamily.ipv4Unicast, .ipv6Unicast] {
            let bytes = BGPMessage.update(.endOfRIB(family)).encode(options: BGPCodecOptions())
            let decoded = try WireBytes.decodeUpdate(bytes)
            #expect(decoded.endOfRIB == family)
            #expect(decoded == .endOfRIB(family))
        }
        #expect(WireBytes.update().count == 23)
    }

    @Test func asPathHelpers() {
        let path = ASPath(segments: [.init(type: .sequence, asNumbers: [1, 2]), .init(type: .set, asNumbers: [3, 4]),
                                     .init(type: .confedSequence, asNumbers: [9])])
        #expect(path.length == 3)
        #expect(path.firstAS == 1)
        #expect(path.prepending(7).segments[0].asNumbers == [7, 1, 2])
        #expect(path.description == "1 2 {3 4} (9)")
        #expect(ASPath().prepending(5) == ASPath(sequence: [5]))
        #expect(Community("65002:100") == Community(asNumber: 65002, value: 100))
        #expect(Community("no-export") == .noExport)
        #expect(Community("65536:1") == nil)
    }
}

extension Array where Element: Equatable {
    /// Whether `run` occurs as consecutive elements, for finding an encoded attribute in a message.
    func containsRun(_ run: [Element]) -> Bool {
        guard run.count <= count else { return false }
        return (0...(count - run.count)).contains { self[$0..<$0 + run.count].elementsEqual(run) }
    }
}
