import Foundation
import Testing
import Plan
import TestSupport

/// The rendered gateway configs running for real, dual stack: a node (BIRD) in its own
/// namespace peers with the gateway's dynamic ranges over TCP-MD5 and GTSM, one session per
/// family. The gateway must keep only node subnets with the node as next hop, install them
/// in its kernel, and announce the VPC back.
@Suite(.serialized) struct GatewayInteropTests {
    /// Two namespaces on one link, the node's BIRD started, the gateway's config rendered.
    final class Lab {
        let dir: TemporaryDirectory
        let gateway: TestNamespace
        let node: TestNamespace
        let policy: GatewayPolicy
        private var daemons: [BackgroundProcess] = []

        init() throws {
            let plan = try PlanFixture.plan([
                "VPC": "192.168.0.0/16, \"fd00:c0::/48\"", "PODS": "10.0.0.0/16, \"fd00:a::/48\"", "LEN": "ipv4: 24, ipv6: 64",
                "NODES_EXTRA": PlanFixture.nodeNetwork("\"fd00:10::/64\"", gateway: "\"fd00:10::1\""),
                "LINK_EXTRA": PlanFixture.link("\"fd00:ff::/126\"", vbr: "\"fd00:ff::1\"", dcRouter: "\"fd00:ff::2\""),
                "DOMAIN_EXTRA": "      gtsm: true\n      exportVPCRoutes: true",
            ])
            #expect(PlanChecker.check(plan) == [])
            policy = try GatewayPolicy(plan: plan, domain: "dc1")
            dir = try TemporaryDirectory("te-plan")
            gateway = try TestNamespace("gw")
            node = try TestNamespace("node")
            try gateway.link(to: node, localName: "te-gw0", remoteName: "te-node0",
                             localAddresses: ["172.16.1.1/24", "fd00:10::1/64"], remoteAddresses: ["172.16.1.20/24", "fd00:10::20/64"])
            // The gateway's own routes to the VPC, which it must notice and announce.
            try gateway.exec(["ip", "route", "add", "blackhole", "192.168.0.0/16"])
            try gateway.exec(["ip", "-6", "route", "add", "blackhole", "fd00:c0::/48"])
        }

        func startNode() throws {
            try dir.write("node.conf", """
            router id 172.16.1.20;
            protocol device {}
            protocol static static4 {
              ipv4;
              route 10.0.5.0/24 blackhole;   # its node subnet: accepted
              route 10.0.0.0/16 blackhole;   # the domain aggregate: refused (no node may attract the domain)
              route 10.0.6.0/25 blackhole;   # inside the pod CIDR, wrong length: refused
              route 10.9.0.0/24 blackhole;   # outside the pod CIDR: refused
              route 10.0.7.0/24 via 172.16.1.30;   # a third party as next hop: refused (BIRD) or set to the node (FRR)
            }
            protocol static static6 {
              ipv6;
              route fd00:a:0:5::/64 blackhole;   # accepted
              route fd00:a:0:6::/80 blackhole;   # wrong length: refused
              route fd00:b::/64 blackhole;       # outside: refused
            }
            protocol bgp uplink4 {
              local 172.16.1.20 as 65001;
              neighbor 172.16.1.1 as 65000;
              password "k3y";
              ttl security on;
              connect delay time 1;
              connect retry time 2;   # whichever gateway daemon listens last, retry soon
              error wait time 1, 2;
              ipv4 { import all; export all; };
            }
            protocol bgp uplink6 {
              local fd00:10::20 as 65001;
              neighbor fd00:10::1 as 65000;
              password "k3y";
              ttl security on;
              connect delay time 1;
              connect retry time 2;
              error wait time 1, 2;
              ipv6 { import all; export all; };
            }

            """)
            daemons.append(try node.spawn(["bird", "-f", "-c", dir.file("node.conf"), "-s", dir.file("node.sock")], logFile: dir.file("node.log")))
        }

        func spawn(_ argv: [String], log: String) throws {
            daemons.append(try gateway.spawn(argv, logFile: dir.file(log)))
        }

        /// What the node learned from the gateway, both families.
        func nodeLearned() throws -> String {
            try ["uplink4", "uplink6"].map {
                try run(["birdc", "-s", dir.file("node.sock"), "show", "route", "protocol", $0], check: false).stdout
            }.joined()
        }

        /// Waits until the gateway holds the node's routes and the node holds the VPC, then
        /// checks that exactly the allowed ones went each way and reached the gateway's kernel.
        func expectFiltered(gatewayRoutes: () throws -> String, kernelProtocol: String, thirdPartyNextHop: String?) throws {
            let learned = try waitUntil(timeout: 20, interval: 0.2) {
                let routes = try gatewayRoutes(), toNode = try nodeLearned()
                return routes.contains("10.0.5.0/24") && routes.contains("fd00:a:0:5::/64")
                    && toNode.contains("192.168.0.0/16") && toNode.contains("fd00:c0::/48")
            }
            let routes = try gatewayRoutes()
            #expect(learned, "gateway routes: \(routes)\nlogs: \(logs())")
            #expect(routes.contains("10.0.5.0/24") && routes.contains("fd00:a:0:5::/64"))
            for refused in ["10.0.0.0/16", "10.0.6.0/25", "10.9.0.0/24", "fd00:a:0:6::/80", "fd00:b::/64"] {
                #expect(!routes.contains(refused), "\(refused)")
            }
            // Only the VPC goes to the node: not its own routes back, nothing else.
            let toNode = try nodeLearned()
            #expect(toNode.contains("192.168.0.0/16") && toNode.contains("fd00:c0::/48"), "\(toNode)")
            #expect(!toNode.contains("10.0.") && !toNode.contains("fd00:a:"), "\(toNode)")
            let inKernel = try waitUntil(timeout: 5) {
                try gateway.exec(["ip", "route", "show", "10.0.5.0/24"]).stdout.contains("via 172.16.1.20 dev te-gw0 proto \(kernelProtocol)")
                    // FRR installs the IPv6 route via the node's link-local address, BIRD via its global one.
                    && gateway.exec(["ip", "-6", "route", "show", "fd00:a:0:5::/64"]).stdout.contains(" dev te-gw0 proto \(kernelProtocol)")
            }
            #expect(inKernel)
            #expect(try gateway.exec(["ip", "route", "show", "10.0.6.0/25"]).stdout.isEmpty)
            // A subnet announced with a third party as next hop never leads the gateway there.
            let thirdParty = try gateway.exec(["ip", "route", "show", "10.0.7.0/24"]).stdout
            if let thirdPartyNextHop {
                #expect(thirdParty.contains("via \(thirdPartyNextHop) "), "\(thirdParty)")
            } else {
                #expect(thirdParty.isEmpty && !routes.contains("10.0.7.0/24"), "\(thirdParty)")
            }
        }

        func logs() -> String {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".log") }.sorted().map {
                "\($0): \((try? String(contentsOfFile: dir.file($0), encoding: .utf8)) ?? "")"
            }.joined(separator: "\n")
        }

        /// Daemons stop (by PID) before their namespaces go.
        deinit {
            for daemon in daemons.reversed() { daemon.terminate() }
        }
    }

    @Test func birdGateway() throws {
        let lab = try Lab()
        try lab.dir.write("gw.conf", BIRDConfig.render(lab.policy))
        try lab.spawn(["bird", "-f", "-c", lab.dir.file("gw.conf"), "-s", lab.dir.file("gw.sock")], log: "gw.log")
        try lab.startNode()
        try lab.expectFiltered(gatewayRoutes: {
            try ["te_dc1_v4_node0_1", "te_dc1_v6_node0_1"].map {
                try run(["birdc", "-s", lab.dir.file("gw.sock"), "show", "route", "protocol", $0], check: false).stdout
            }.joined()
        }, kernelProtocol: "bird", thirdPartyNextHop: nil)
    }

    /// FRR's zebra and bgpd in the gateway namespace, as the frr user (they drop root).
    @Test func frrGateway() throws {
        let lab = try Lab()
        try lab.dir.write("zebra.conf", "")
        try lab.dir.write("bgpd.conf", FRRConfig.render(lab.policy))
        try run(["chown", "-R", "frr:frr", lab.dir.path])
        let zserv = lab.dir.file("zserv.api")
        try lab.spawn(["/usr/lib/frr/zebra", "-z", zserv, "-i", lab.dir.file("zebra.pid"), "--vty_socket", lab.dir.path,
                       "-f", lab.dir.file("zebra.conf")], log: "zebra.log")
        #expect(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: zserv) }, "\(lab.logs())")
        try lab.spawn(["/usr/lib/frr/bgpd", "-z", zserv, "-i", lab.dir.file("bgpd.pid"), "--vty_socket", lab.dir.path,
                       "-f", lab.dir.file("bgpd.conf")], log: "bgpd.log")
        try lab.startNode()
        try lab.expectFiltered(gatewayRoutes: {
            try ["ipv4", "ipv6"].map {
                try run(["vtysh", "--vty_socket", lab.dir.path, "-d", "bgpd", "-c", "show bgp \($0) unicast"], check: false).stdout
            }.joined()
        }, kernelProtocol: "bgp", thirdPartyNextHop: "172.16.1.20")
        // One node, one session per family (FRR counts them per family), under the limit of
        // 10 nodes × 2 families.
        let summary = try run(["vtysh", "--vty_socket", lab.dir.path, "-d", "bgpd", "-c", "show bgp summary"], check: false).stdout
        #expect(summary.components(separatedBy: "1 dynamic neighbor(s), limit 20").count == 3, "\(summary)")
    }
}
