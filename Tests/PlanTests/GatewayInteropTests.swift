import Foundation
import Testing
import Plan
import TestSupport

/// The rendered BIRD gateway config running for real: a node (BIRD) in its own namespace
/// peers with the gateway's dynamic range over TCP-MD5 and GTSM, and the gateway keeps only
/// what the plan allows and announces the VPC back.
@Suite(.serialized) struct GatewayInteropTests {
    @Test func birdGatewayFiltersWhatANodeAnnounces() throws {
        let plan = try PlanFixture.plan(["DOMAIN_EXTRA": "      password: k3y\n      gtsm: true\n      exportVPCRoutes: true"])
        let config = BIRDConfig.render(try GatewayPolicy(plan: plan, domain: "dc1"))
        let dir = try TemporaryDirectory("te-plan")
        let gateway = try TestNamespace("gw"), node = try TestNamespace("node")
        try gateway.link(to: node, localName: "te-gw0", remoteName: "te-node0",
                         localAddresses: ["172.16.1.1/24"], remoteAddresses: ["172.16.1.20/24"])
        // The gateway's own route to the VPC, which it learns from the kernel and announces.
        try gateway.exec(["ip", "route", "add", "blackhole", "192.168.0.0/16"])

        try dir.write("gw.conf", config)
        try dir.write("node.conf", """
        router id 172.16.1.20;
        protocol device {}
        protocol static {
          ipv4;
          route 10.0.5.0/24 blackhole;   # its node subnet: accepted
          route 10.0.0.0/16 blackhole;   # the domain aggregate: accepted
          route 10.0.6.0/25 blackhole;   # inside the pod CIDR, wrong length: refused
          route 10.9.0.0/24 blackhole;   # outside the pod CIDR: refused
        }
        protocol bgp uplink {
          local 172.16.1.20 as 65001;
          neighbor 172.16.1.1 as 65000;
          password "k3y";
          ttl security on;
          connect delay time 1;
          ipv4 { import all; export all; };
        }

        """)
        let gatewayDaemon = try gateway.spawn(["bird", "-f", "-c", dir.file("gw.conf"), "-s", dir.file("gw.sock")], logFile: dir.file("gw.log"))
        defer { gatewayDaemon.terminate() }
        let nodeDaemon = try node.spawn(["bird", "-f", "-c", dir.file("node.conf"), "-s", dir.file("node.sock")], logFile: dir.file("node.log"))
        defer { nodeDaemon.terminate() }

        func birdc(_ socket: String, _ command: String...) throws -> String {
            try run(["birdc", "-s", dir.file(socket)] + command, check: false).stdout
        }
        let learned = try waitUntil(timeout: 20, interval: 0.2) {
            try birdc("gw.sock", "show", "route", "protocol", "te_dc1_v4_node0_1").contains("10.0.0.0/16")
                && birdc("node.sock", "show", "route", "protocol", "uplink").contains("192.168.0.0/16")
        }
        let gatewayRoutes = try birdc("gw.sock", "show", "route")
        let protocols = try birdc("gw.sock", "show", "protocols", "all")
        let log = (try? String(contentsOfFile: dir.file("gw.log"), encoding: .utf8)) ?? ""
        #expect(learned, "gateway: \(protocols)\n\(gatewayRoutes)\n\(log)")
        #expect(gatewayRoutes.contains("10.0.5.0/24") && gatewayRoutes.contains("10.0.0.0/16"))
        #expect(!gatewayRoutes.contains("10.0.6.0/25") && !gatewayRoutes.contains("10.9.0.0/24"))
        // Only the VPC goes to the node: not the node's own routes, nothing else.
        let nodeLearned = try birdc("node.sock", "show", "route", "protocol", "uplink")
        #expect(nodeLearned.contains("192.168.0.0/16") && !nodeLearned.contains("10.0."))
        // The accepted node subnet is in the gateway's kernel table, via the node.
        let inKernel = try waitUntil(timeout: 5) {
            try gateway.exec(["ip", "route", "show", "10.0.5.0/24"]).stdout.contains("via 172.16.1.20 dev te-gw0 proto bird")
        }
        #expect(inKernel)
    }
}
