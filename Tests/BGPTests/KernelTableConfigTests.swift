@testable import BGP
@testable import BGPCore
import ConfigFile
import NetworkCore
import Testing

/// The `kernel` key of `bgp serve`, and what the speaker reports for a kernel table.
@Suite struct KernelTableConfigTests {
    static let base = "localAS: 65002\nrouterID: 10.0.0.2\n"

    @Test func absentMeansOffAndDefaultsFillAnEmptyMapping() throws {
        #expect(try BGPConfig(yaml: Self.base).kernel == nil)
        #expect(try BGPConfig(yaml: Self.base + "kernel: {}").kernel == KernelTableConfig(table: 254, protocolID: 206, metric: nil))
        let full = try BGPConfig(yaml: Self.base + "kernel:\n  table: 100\n  protocol: 186\n  metric: 20\n")
        #expect(full.kernel == KernelTableConfig(table: 100, protocolID: 186, metric: 20))
    }

    static let refusals: [(String, String)] = [
        ("kernel: {table: 0}", "kernel.table: expected an integer from 1 to 4294967295, found \"0\""),
        ("kernel: {table: 255}", "kernel.table: must not be 255 (the local table)"),
        ("kernel: {table: main}", "kernel.table: expected an integer from 1 to 4294967295, found \"main\""),
        ("kernel: {protocol: 4}", "kernel.protocol: expected an integer from 5 to 255, found \"4\""),
        ("kernel: {protocol: 256}", "kernel.protocol: expected an integer from 5 to 255, found \"256\""),
        ("kernel: {metric: -1}", "kernel.metric: expected an integer from 0 to 4294967295, found \"-1\""),
        ("kernel: {tabel: 254}", "kernel.tabel: unknown field; expected one of table, protocol, metric"),
        ("kernel: 254", "kernel: expected a mapping with table, protocol, metric, found \"254\""),
    ]

    @Test(arguments: refusals)
    func refusesNamingTheField(line: String, message: String) {
        let error = #expect(throws: ConfigError.self) { try BGPConfig(yaml: Self.base + line) }
        #expect(error?.description == "line 3: \(message)")
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
