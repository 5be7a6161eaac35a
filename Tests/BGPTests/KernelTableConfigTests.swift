@testable import BGP
@testable import BGPCore
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
        ("kernel: {table: 0}", "kernel.table: must be 1..4294967295"),
        ("kernel: {table: 255}", "kernel.table: must not be 255 (the local table)"),
        ("kernel: {table: main}", "kernel.table: must be 1..4294967295"),
        ("kernel: {protocol: 4}", "kernel.protocol: must be 5..255"),
        ("kernel: {protocol: 256}", "kernel.protocol: must be 5..255"),
        ("kernel: {metric: -1}", "kernel.metric: must be 0..4294967295"),
        ("kernel: {tabel: 254}", "kernel.tabel: unknown field"),
        ("kernel: 254", "kernel: must be a mapping"),
    ]

    @Test(arguments: refusals)
    func refusesNamingTheField(line: String, message: String) {
        let error = #expect(throws: ConfigError.self) { try BGPConfig(yaml: Self.base + line) }
        #expect(error?.description == message)
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
