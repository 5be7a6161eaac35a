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
        #expect(error?.description == "line 3: kernel: unknown field; expected one of localAS, routerID, listen, controlSocket, gracefulRestart, peers, originate, originateFile")
    }

    @Test func onlyLearnedBestPathsReachTheKernel() {
        let prefix = RIBPrefix(IPPrefix("10.1.0.0/24")!)!
        let attributes = PathAttributes(origin: .igp, nextHop: .ipv4(IPv4Address(192, 0, 2, 1)))
        let learned = RIBRoute(prefix: prefix, peer: PeerID(rawValue: 1), attributes: attributes, isBest: true)
        let originated = RIBRoute(prefix: prefix, peer: .local, attributes: attributes, isBest: true)
        #expect(LearnedRouteChange(BestPathChange(prefix: prefix, best: learned)).best == learned)
        #expect(LearnedRouteChange(BestPathChange(prefix: prefix, best: originated)).best == nil)
        #expect(LearnedRouteChange(BestPathChange(prefix: prefix, best: nil)).prefix == IPPrefix("10.1.0.0/24"))
    }
}
