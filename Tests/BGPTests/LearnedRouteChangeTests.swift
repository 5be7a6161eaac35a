@testable import BGP
@testable import BGPCore
import ConfigFile
import NetworkCore
import Testing

/// What the speaker reports for a kernel table, and the `kernel` key it leaves to RouteSync.
@Suite struct LearnedRouteChangeTests {
    static let base = "localAS: 65002\nrouterID: 10.0.0.2\n"

    /// `bgp serve`'s `kernel` key belongs to RouteSync: handed back unread when named, refused otherwise.
    @Test func otherPartsKeysAreHandedBackUnread() throws {
        var others: [String: ConfigNode] = [:]
        _ = try BGPConfig(yaml: Self.base + "kernel: {table: 100}\n", otherKeys: ["kernel"], others: &others)
        #expect(others["kernel"]?.path == "kernel")
        let error = #expect(throws: ConfigError.self) { try BGPConfig(yaml: Self.base + "kernel: {table: 100}\n") }
        #expect(error?.description == "line 3: kernel: unknown field; expected one of localAS, routerID, listen, controlSocket, gracefulRestart, peers, originate, originateFile, nextHops")
    }

    @Test func onlyLearnedBestPathsReachTheKernelWithAGatewayItCanUse() throws {
        let config = try BGPConfig(yaml: Self.base + "controlSocket: /nonexistent\npeers:\n  - { address: 10.254.0.1, as: 65001, import: [any] }\n")
        let speaker = BGPSpeaker(config: config)
        let session = try #require(speaker.sessions.first)
        session.interfaceIndex = 7
        func route(_ prefix: String, _ nextHop: NextHop, peer: PeerID? = nil) -> RIBRoute {
            RIBRoute(prefix: RIBPrefix(IPPrefix(prefix)!)!, peer: peer ?? session.peerID,
                     attributes: PathAttributes(origin: .igp, nextHop: nextHop), isBest: true)
        }
        let v4 = NextHop.ipv4(IPv4Address(192, 0, 2, 1))
        #expect(speaker.kernelNextHop(route("10.1.0.0/24", v4)) == LearnedNextHop(gateway: IPAddress("192.0.2.1")!))
        #expect(speaker.kernelNextHop(route("10.1.0.0/24", v4, peer: .local)) == nil)
        // RFC 8950: an IPv4 route through an IPv6 next hop.
        let global = IPv6Address("fd00:254::2")!, linkLocal = IPv6Address("fe80::2")!
        #expect(speaker.kernelNextHop(route("10.1.0.0/24", .ipv6(global: global, linkLocal: nil)))
                == LearnedNextHop(gateway: IPAddress("fd00:254::2")!))
        // The global address while we reach it; the link-local one on the session's interface when not.
        let both = NextHop.ipv6(global: global, linkLocal: linkLocal)
        #expect(speaker.kernelNextHop(route("fd00:1::/64", both)) == LearnedNextHop(gateway: IPAddress("fd00:254::2")!))
        var changes: [BestPathChange] = []
        speaker.rib.setConnectedNetworks(ConnectedNetworks([IPPrefix("fe80::/64")!]), changes: &changes)
        #expect(speaker.kernelNextHop(route("fd00:1::/64", both)) == LearnedNextHop(gateway: IPAddress("fe80::2")!, interface: 7))
        #expect(speaker.kernelNextHop(route("10.1.0.0/24", .ipv6(global: linkLocal, linkLocal: nil)))
                == LearnedNextHop(gateway: IPAddress("fe80::2")!, interface: 7))
    }
}
