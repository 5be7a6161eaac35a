@testable import Agent
import ConfigFile
import Plan
import RouteSync
import Testing

/// `bgp serve`'s `kernel` key, read into RouteSync's config (it left `BGPConfig`).
@Suite struct SpeakerServeConfigTests {
    static func kernel(_ yaml: String) throws -> RouteSyncConfig {
        var config = RouteSyncConfig()
        let document = try ConfigNode.document(yaml).mapping(allowing: ["kernel"])
        try config.readKernel(try document.required("kernel"))
        return try config.validated()
    }

    @Test func defaultsFillAnEmptyMapping() throws {
        let empty = try Self.kernel("kernel: {}\n")
        #expect(empty.table == 254 && empty.learnedProtocolID == 206 && empty.metric == nil)
        let full = try Self.kernel("kernel:\n  table: 100\n  protocol: 210\n  metric: 20\n")
        #expect(full.learnedTable == KernelTable(id: 100, protocolID: 210, metric: 20))
    }

    static let refusals: [(String, String)] = [
        ("kernel: {table: 0}", "line 1: kernel.table: expected an integer from 1 to 4294967295"),
        ("kernel: {table: 255}", "line 1: kernel.table: must not be 255 (the local table)"),
        ("kernel: {table: main}", "line 1: kernel.table: expected an integer from 1 to 4294967295"),
        ("kernel: {protocol: 4}", "line 1: kernel.protocol: expected an integer from 5 to 255"),
        ("kernel: {protocol: 256}", "line 1: kernel.protocol: expected an integer from 5 to 255"),
        ("kernel: {protocol: 186}", "line 1: kernel.protocol: 186 belongs to"),
        ("kernel: {metric: -1}", "line 1: kernel.metric: expected an integer from 0 to 4294967295"),
        ("kernel: {tabel: 254}", "line 1: kernel.tabel: unknown field"),
        ("kernel: 254", "line 1: kernel: expected a mapping"),
    ]

    @Test(arguments: refusals)
    func refusesNamingTheField(yaml: String, message: String) {
        #expect { try Self.kernel(yaml) } throws: { "\($0)".hasPrefix(message) }
    }
}
