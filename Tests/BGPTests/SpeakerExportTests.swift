@testable import BGP
@testable import BGPCore
import NetworkCore
import Testing

@Suite struct SpeakerExportTests {
    static let v4 = RIBPrefix(IPPrefix("10.1.0.0/24")!)!
    static let v6 = RIBPrefix(IPPrefix("fd00:1::/64")!)!
    static let source = PeerID(rawValue: 1)
    static let target = PeerID(rawValue: 2)

    static func policy(external: Bool = true, exportLearned: Bool = false,
                       families: Set<AddressFamily> = [.ipv4Unicast, .ipv6Unicast]) -> ExportPolicy {
        ExportPolicy(localAS: 65002, routerID: IPv4Address(10, 0, 0, 2), peer: target, isExternal: external,
                     exportLearned: exportLearned, families: families, localAddress: IPAddress("192.0.2.2")!)
    }

    static func route(_ prefix: RIBPrefix = v4, from peer: PeerID = .local,
                      _ attributes: PathAttributes = PathAttributes(origin: .igp)) -> RIBRoute {
        RIBRoute(prefix: prefix, peer: peer, attributes: attributes, isBest: true)
    }

    @Test func originatedRoutesToAnExternalPeer() {
        var policy = Self.policy()
        let attributes = PathAttributes(origin: .igp, communities: [Community(asNumber: 65002, value: 100)])
        let out = policy.attributes(for: Self.route(Self.v4, from: .local, attributes), sourceIsExternal: nil)
        #expect(out?.asPath == ASPath(sequence: [65002]))
        #expect(out?.nextHop == .ipv4(IPv4Address(192, 0, 2, 2)))
        #expect(out?.localPref == nil && out?.origin == .igp)
        #expect(out?.communities == [Community(asNumber: 65002, value: 100)])
        // IPv6 over an IPv4 session: the IPv4-mapped address of the session as next hop.
        let v6 = policy.attributes(for: Self.route(Self.v6), sourceIsExternal: nil)
        #expect(v6?.nextHop == .ipv6(global: IPv6Address("::ffff:192.0.2.2")!, linkLocal: nil))
        // With an IPv6 address of ours for the IPv4 session, that one (BIRD needs it).
        var dual = Self.policy()
        dual.otherFamilyNextHop = IPAddress("2001:db8::2")
        #expect(dual.attributes(for: Self.route(Self.v6), sourceIsExternal: nil)?.nextHop
                == .ipv6(global: IPv6Address("2001:db8::2")!, linkLocal: nil))
    }

    @Test func originatedRoutesToAnInternalPeer() {
        var policy = Self.policy(external: false)
        let out = policy.attributes(for: Self.route(), sourceIsExternal: nil)
        #expect(out?.asPath == ASPath() && out?.localPref == 100)
    }

    @Test func learnedRoutesOnlyWhereConfiguredAndNeverBack() {
        let learned = PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001]),
                                     nextHop: .ipv4(IPv4Address(192, 0, 2, 1)), med: 50)
        var quiet = Self.policy()
        #expect(quiet.attributes(for: Self.route(from: Self.source, learned), sourceIsExternal: true) == nil)
        var open = Self.policy(exportLearned: true)
        let out = open.attributes(for: Self.route(from: Self.source, learned), sourceIsExternal: true)
        #expect(out?.asPath == ASPath(sequence: [65002, 65001]) && out?.med == nil)
        #expect(open.attributes(for: Self.route(from: Self.target, learned), sourceIsExternal: true) == nil)
        // iBGP to iBGP is never re-advertised (RFC 4271 §9.1.3).
        var internalPolicy = Self.policy(external: false, exportLearned: true)
        #expect(internalPolicy.attributes(for: Self.route(from: Self.source, learned), sourceIsExternal: false) == nil)
        let externalSource = PeerID(rawValue: 3)
        let fromExternal = internalPolicy.attributes(for: Self.route(from: externalSource, learned), sourceIsExternal: true)
        #expect(fromExternal?.asPath == ASPath(sequence: [65001]) && fromExternal?.localPref == 100)
    }

    @Test func wellKnownCommunitiesAndFamilies() {
        var external = Self.policy()
        var internalPolicy = Self.policy(external: false)
        let noExport = PathAttributes(origin: .igp, communities: [.noExport])
        #expect(external.attributes(for: Self.route(Self.v4, from: .local, noExport), sourceIsExternal: nil) == nil)
        #expect(internalPolicy.attributes(for: Self.route(Self.v4, from: .local, noExport), sourceIsExternal: nil) != nil)
        let noAdvertise = PathAttributes(origin: .igp, communities: [.noAdvertise])
        #expect(internalPolicy.attributes(for: Self.route(Self.v4, from: .local, noAdvertise), sourceIsExternal: nil) == nil)
        var v4Only = Self.policy(families: [.ipv4Unicast])
        #expect(v4Only.attributes(for: Self.route(Self.v6), sourceIsExternal: nil) == nil)
    }

    @Test func adjRIBOutSendsOnlyDifferences() {
        var out = AdjRIBOut()
        let attributes = PathAttributes(origin: .igp, nextHop: .ipv4(IPv4Address(192, 0, 2, 2)))
        var first = AdjRIBOut.Delta()
        out.set(Self.v4, attributes, into: &first)
        #expect(first.announce4.values.flatMap { $0 } == [IPv4NLRI(IPPrefix("10.1.0.0/24")!)!] && out.count == 1)
        var repeated = AdjRIBOut.Delta()
        out.set(Self.v4, attributes, into: &repeated)
        #expect(repeated.isEmpty)
        var gone = AdjRIBOut.Delta()
        out.set(Self.v4, nil, into: &gone)
        #expect(gone.withdraw4 == [IPv4NLRI(IPPrefix("10.1.0.0/24")!)!] && out.count == 0)
        // The encoded withdrawal decodes back to the prefix.
        let bytes = out.encode(gone, with: UpdatePacker(options: BGPCodecOptions()))
        guard case .update(let update) = try? BGPMessage.decode(bytes, options: BGPCodecOptions()) else {
            Issue.record("not an UPDATE")
            return
        }
        #expect(update.withdrawn.map(\.prefix) == [IPPrefix("10.1.0.0/24")!])
    }
}
