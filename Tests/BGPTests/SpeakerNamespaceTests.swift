import BGP
import Foundation
import Testing
import TestSupport

/// Two `terway-edge bgp serve` processes in their own `te-` namespaces joined by a veth,
/// peering over IPv6 with TCP-MD5 and GTSM: the socket options of the other family.
@Suite struct SpeakerNamespaceTests {
    @Test func ipv6SessionWithMD5AndGTSMCarriesBothFamilies() async throws {
        let left = try TestNamespace("bgpl"), right = try TestNamespace("bgpr")
        defer { left.delete(); right.delete() }
        try left.link(to: right, localName: "te-l0", remoteName: "te-r0",
                      localAddresses: ["10.254.0.1/30", "fd00:254::1/64"], remoteAddresses: ["10.254.0.2/30", "fd00:254::2/64"])
        let directory = try TemporaryDirectory("te-bgpns")
        func config(_ me: Int, _ other: Int) -> String {
            """
            localAS: \(65000 + me)
            routerID: 10.254.0.\(me)
            listen: "[fd00:254::\(me)]:179"
            controlSocket: \(directory.file("s\(me).sock"))
            peers:
              - { address: "fd00:254::\(other)", as: \(65000 + other), password: v6secret, ttlSecurity: 1, holdTime: 9, connectRetryTime: 1, import: [any], export: [any] }
            originate:
              - { prefix: 10.\(me).0.0/24 }
              - { prefix: "fd00:\(me)::/64" }
            """
        }
        try directory.write("1.yaml", config(1, 2))
        try directory.write("2.yaml", config(2, 1))
        let binary = try builtExecutable("terway-edge")
        let one = try left.spawn([binary, "bgp", "serve", "--config", directory.file("1.yaml")], logFile: directory.file("1.log"))
        let two = try right.spawn([binary, "bgp", "serve", "--config", directory.file("2.yaml")], logFile: directory.file("2.log"))
        defer { one.terminate(); two.terminate() }

        func routes(_ me: Int) -> [RouteStatus] {
            (try? ControlClient.send(ControlRequest(command: "routes"), to: directory.file("s\(me).sock")).routes) ?? []
        }
        let exchanged = waitUntil(timeout: 15) { routes(1).count == 4 && routes(2).count == 4 }
        let logs = (try? String(contentsOfFile: directory.file("1.log"), encoding: .utf8)) ?? ""
        #expect(exchanged, "\(logs)")
        let learned = routes(2).filter { $0.from == "fd00:254::1" }
        #expect(Set(learned.map(\.prefix)) == ["10.1.0.0/24", "fd00:1::/64"])
        // IPv4 routes over the IPv6 session carry the IPv4 address of the same interface.
        #expect(learned.first { $0.prefix == "10.1.0.0/24" }?.nextHop == "10.254.0.1")
        #expect(learned.first { $0.prefix == "fd00:1::/64" }?.nextHop == "fd00:254::1")
    }
}
