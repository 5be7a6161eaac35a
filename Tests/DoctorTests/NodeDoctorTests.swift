import Agent
import BGP
import Foundation
import Testing
import TestSupport

/// `terway-edge doctor` in a `te-` node namespace: healthy, then each problem planted alone,
/// found with its fix and exit status 1. Not plantable in a namespace: a kernel without
/// nexthop objects (the kernel's; `NetlinkError.meansNoNexthopObjects` is Netlink's to test).
@Suite(.serialized) struct NodeDoctorTests {
    static let allChecks = ["kernel.nexthop", "config", "kernel.nftables", "sysctl.ip_forward", "cni.conflist", "cni.plugin",
                            "cni.portmap", "subnet.file", "agent.socket", "agent.status", "bgp.sessions", "routes.overlap"]

    /// Runs doctor with the agent answering and expects exactly `check` to be a problem.
    static func expectOnly(_ check: String, on node: DoctorNode, _ extra: [String] = [], detail: String? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) async throws {
        expectOnly(check, in: try await node.withAgentSocket { try node.doctor(extra) }, detail: detail, sourceLocation: sourceLocation)
    }

    /// Expects exactly `check` to be a problem in doctor's answer, with a fix, and exit status 1.
    static func expectOnly(_ check: String, in answer: (status: Int32, findings: [DoctorFindingJSON]), detail: String? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let (status, findings) = answer
        let problems = findings.filter { !$0.ok }
        #expect(status == 1, sourceLocation: sourceLocation)
        #expect(problems.map(\.check) == [check], "\(problems)", sourceLocation: sourceLocation)
        #expect(problems.allSatisfy { !($0.fix ?? "").isEmpty }, sourceLocation: sourceLocation)
        if let detail { #expect(problems.first?.detail.contains(detail) == true, "\(problems)", sourceLocation: sourceLocation) }
    }

    @Test func aHealthyNodePassesEveryCheck() async throws {
        let node = try DoctorNode()
        let (status, findings) = try await node.withAgentSocket { try node.doctor() }
        #expect(findings.map(\.check) == Self.allChecks)
        #expect(findings.filter { !$0.ok } == [])
        #expect(status == 0)
        // The table form says the same.
        let table = try await node.withAgentSocket {
            try node.namespace.exec([try builtExecutable("terway-edge"), "doctor", "--config", node.directory.file("agent.yaml"),
                                     "--cni-bin-dir", node.directory.file("bin"), "--cni-conf-dir", node.directory.file("net.d")])
        }
        #expect(table.stdout.contains("OK: no problems"))
    }

    @Test func forwardingOff() async throws {
        let node = try DoctorNode()
        try node.namespace.exec(["sysctl", "-qw", "net.ipv4.ip_forward=0"])
        try await Self.expectOnly("sysctl.ip_forward", on: node, detail: "net.ipv4.ip_forward = 0")
    }

    @Test func conflistMissing() async throws {
        let node = try DoctorNode()
        try FileManager.default.removeItem(atPath: node.directory.file("net.d/10-terway-edge.conflist"))
        try await Self.expectOnly("cni.conflist", on: node, detail: "is missing")
    }

    @Test func conflistBroken() async throws {
        let node = try DoctorNode()
        try node.directory.write("net.d/10-terway-edge.conflist", #"{"cniVersion": "1.0.0", "name": "x", "plugins": ["#)
        try await Self.expectOnly("cni.conflist", on: node, detail: "not a valid conflist")
    }

    @Test func anotherCNIsConfigComesFirst() async throws {
        let node = try DoctorNode()
        try node.directory.write("net.d/05-flannel.conflist", #"{"cniVersion": "0.3.1", "name": "cbr0", "plugins": [{"type": "flannel"}]}"#)
        try await Self.expectOnly("cni.conflist", on: node, detail: "05-flannel.conflist sort before")
    }

    @Test func aCloudConflistOnAnEdgeNode() async throws {
        let node = try DoctorNode()
        try run([try builtExecutable("terway-edge"), "install-cni", "--plugin", try builtExecutable("terway-edge-cni"), "--mode", "cloud",
                 "--bin-dir", node.directory.file("bin"), "--conf-dir", node.directory.file("net.d")])
        try await Self.expectOnly("cni.conflist", on: node, detail: "mode cloud; this node's agent")
    }

    @Test func pluginMissing() async throws {
        let node = try DoctorNode()
        try FileManager.default.removeItem(atPath: node.directory.file("bin/terway-edge-cni"))
        try await Self.expectOnly("cni.plugin", on: node, detail: "is missing")
    }

    @Test func pluginFromAnEarlierRelease() async throws {
        let node = try DoctorNode()
        let stale = node.directory.file("bin/terway-edge-cni")
        try FileManager.default.removeItem(atPath: stale)
        try node.directory.write("bin/terway-edge-cni", """
            #!/bin/sh
            echo '{"cniVersion":"1.1.0","supportedVersions":["0.3.1","0.4.0","1.0.0","1.1.0"]}'

            """)
        chmod(stale, 0o755)
        try await Self.expectOnly("cni.plugin", on: node, detail: "stale plugin")
    }

    @Test func pluginThatDoesNotSpeakCNI11() async throws {
        let node = try DoctorNode()
        try FileManager.default.removeItem(atPath: node.directory.file("bin/terway-edge-cni"))
        try FileManager.default.copyItem(atPath: "/usr/lib/cni/bridge", toPath: node.directory.file("bin/terway-edge-cni"))
        try await Self.expectOnly("cni.plugin", on: node, detail: "expected CNI 1.1.0")
    }

    @Test func portmapMissing() async throws {
        let node = try DoctorNode()
        try FileManager.default.removeItem(atPath: node.directory.file("bin/portmap"))
        try await Self.expectOnly("cni.portmap", on: node)
    }

    @Test func subnetFileMissing() async throws {
        let node = try DoctorNode()
        try FileManager.default.removeItem(atPath: node.directory.file("subnet.json"))
        try await Self.expectOnly("subnet.file", on: node, detail: "is missing")
    }

    @Test func subnetFileUnreadable() async throws {
        let node = try DoctorNode()
        try node.directory.write("subnet.json", "{\"subnets\": [\"10.0.3.0/33\"]}")
        try await Self.expectOnly("subnet.file", on: node, detail: "unreadable")
    }

    @Test func subnetFileOutsideThePlan() async throws {
        let node = try DoctorNode()
        try node.directory.write("subnet.json", #"{"subnets":["10.1.3.0/24"]}"#)
        node.status.lease.subnets = ["10.1.3.0/24"]
        try await Self.expectOnly("subnet.file", on: node, detail: "outside the domain's pod CIDRs")
    }

    @Test func agentNotRunning() throws {
        let node = try DoctorNode()
        let (status, findings) = try node.doctor()
        #expect(status == 1)
        #expect(findings.filter { !$0.ok }.map(\.check) == ["agent.socket"])
        #expect(findings.first { $0.check == "agent.socket" }?.detail.contains("cannot reach the node agent") == true)
    }

    @Test func leaseAndSubnetFileDisagree() async throws {
        let node = try DoctorNode()
        node.status.lease.subnets = ["10.0.4.0/24"]
        try await Self.expectOnly("agent.status", on: node, detail: "the lease holds 10.0.4.0/24 but the subnet file 10.0.3.0/24")
    }

    @Test func agentReportsAProblem() async throws {
        let node = try DoctorNode()
        node.status.problems = ["route to 10.0.5.0/24 (edge-3) missing: the kernel refused it"]
        try await Self.expectOnly("agent.status", on: node, detail: "edge-3")
    }

    @Test func bgpSessionDown() async throws {
        let node = try DoctorNode()
        node.status.peers[0].state = "Active"
        node.status.peers[0].lastError = PeerStatus.LastError(code: 2, subcode: 2, name: "Bad Peer AS")
        try await Self.expectOnly("bgp.sessions", on: node, detail: "172.16.1.1 AS 65000 Active (last error 2/2 Bad Peer AS)")
    }

    @Test func aForeignRouteInsideThePodRange() async throws {
        let node = try DoctorNode()
        // Ours (protocol 207) and the node's own subnet are expected; a foreign /24 inside the range is not.
        try node.namespace.exec(["ip", "route", "add", "blackhole", "10.0.8.0/24", "proto", "207"])
        try node.namespace.exec(["ip", "route", "add", "blackhole", "10.0.3.0/24"])
        try node.namespace.exec(["ip", "route", "add", "blackhole", "10.0.0.0/8"])
        try node.namespace.exec(["ip", "route", "add", "blackhole", "10.0.7.0/24"])
        try await Self.expectOnly("routes.overlap", on: node, detail: "10.0.7.0/24 (proto 3) inside pod range 10.0.0.0/16")
    }

    @Test func nftMissing() async throws {
        let node = try DoctorNode()
        try await Self.expectOnly("kernel.nftables", on: node, ["--nft", "/nonexistent-te/nft"])
    }

    @Test func configMissing() async throws {
        let node = try DoctorNode()
        try FileManager.default.removeItem(atPath: node.directory.file("agent.yaml"))
        try await Self.expectOnly("config", on: node, detail: "cannot read")
    }
}
