import Agent
@testable import Doctor
import Foundation
import Logging
import Netlink
import NetworkCore
import ServiceLifecycle
import Testing
import TestSupport

/// `terway-edge doctor` on a cloud node (config `role: cloud`): the instance's namespace with
/// the cloud agent running against the emulator, healthy, then each problem planted alone.
@Suite(.serialized) struct CloudDoctorTests {
    static let allChecks = ["config", "sysctl.ip_forward", "cni.conflist", "cni.plugin", "cni.portmap", "agent.addresses",
                            "agent.socket", "cloud.pool", "cloud.routing"]

    @Test func aHealthyCloudNodePassesEveryCheck() async throws {
        let node = try await CloudDoctorNode()
        try await node.addPod("p1")
        try await node.addPod("p2")
        try await node.waitForIdle(2)
        let (status, findings) = try await node.doctor()
        #expect(findings.map(\.check) == Self.allChecks)
        #expect(findings.filter { !$0.ok } == [], "\(node.lab.log.suffix(2000))")
        #expect(status == 0)
        #expect(findings.first { $0.check == "cloud.routing" }?.detail.contains("rules of 2 pods") == true, "\(findings)")
        await node.stop()
    }

    @Test func forwardingOff() async throws {
        let node = try await CloudDoctorNode()
        try node.namespace.exec(["sysctl", "-qw", "net.ipv4.ip_forward=0"])
        NodeDoctorTests.expectOnly("sysctl.ip_forward", in: try await node.doctor())
        await node.stop()
    }

    /// Dual-stack ENIs (ecs.g7.4xlarge on a vSwitch with IPv6): IPv6 forwarding is checked too.
    @Test func ipv6ForwardingOffWithDualStackENIs() async throws {
        let node = try await CloudDoctorNode(type: "ecs.g7.4xlarge", ipv6Cidr: "2408:4000:10::/64")
        #expect(try await node.doctor().findings.filter { $0.check.hasPrefix("sysctl.") }.map(\.check) == ["sysctl.ip_forward", "sysctl.ipv6_forwarding"])
        try node.namespace.exec(["sysctl", "-qw", "net.ipv6.conf.all.forwarding=0"])
        NodeDoctorTests.expectOnly("sysctl.ipv6_forwarding", in: try await node.doctor())
        await node.stop()
    }

    @Test func anEdgeConflistOnACloudNode() async throws {
        let node = try await CloudDoctorNode()
        try node.installCNI(socket: node.lab.addressSocket, mode: "edge")
        NodeDoctorTests.expectOnly("cni.conflist", in: try await node.doctor(), detail: "mode edge; this node's agent")
        await node.stop()
    }

    @Test func theConflistAsksAnotherSocket() async throws {
        let node = try await CloudDoctorNode()
        try node.installCNI(socket: "/run/te-nowhere/ip.sock")
        NodeDoctorTests.expectOnly("cni.conflist", in: try await node.doctor(), detail: "ask /run/te-nowhere/ip.sock; the agent serves")
        await node.stop()
    }

    @Test func theAddressSocketIsGone() async throws {
        let node = try await CloudDoctorNode()
        try FileManager.default.removeItem(atPath: node.lab.addressSocket)
        NodeDoctorTests.expectOnly("agent.addresses", in: try await node.doctor(), detail: "not reachable")
        await node.stop()
    }

    @Test func theAgentIsNotRunning() async throws {
        let node = try await CloudDoctorNode()
        await node.lab.stopAgent()
        let (status, findings) = try await node.doctor()
        #expect(status == 1)
        #expect(findings.filter { !$0.ok }.map(\.check) == ["agent.addresses", "agent.socket"], "\(findings)")
        node.lab.stop()
    }

    /// The edge DaemonSet's agent answers on the control socket (a cloud node labelled edge).
    @Test func anEdgeAgentOnACloudNode() async throws {
        let node = try await CloudDoctorNode()
        try FileManager.default.removeItem(atPath: node.lab.controlSocket)
        let logger = Logger(label: "doctor-test")
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            ControlService(path: node.lab.controlSocket, logger: logger, commands: .init(status: { DoctorNode.healthyStatus }, leave: nil)),
        ], logger: logger))
        let running = Task { try await group.run() }
        while !FileManager.default.fileExists(atPath: node.lab.controlSocket) { try await Task.sleep(for: .milliseconds(25)) }
        NodeDoctorTests.expectOnly("agent.socket", in: try await node.doctor(), detail: "the agent answering is role edge")
        await group.triggerGracefulShutdown()
        try await running.value
        await node.stop()
    }

    /// The agent's RAM policy lacks ecs:CreateNetworkInterface: the pool stays empty, and
    /// the agent's failure shows with the credentials/RAM fix.
    @Test func theCloudAPIFails() async throws {
        let node = try await CloudDoctorNode(idle: 0, deny: ["CreateNetworkInterface"])
        let clock = ContinuousClock(), start = clock.now
        while await (try? node.lab.status().problems.isEmpty) ?? true, clock.now - start < .seconds(20) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let answer = try await node.doctor()
        NodeDoctorTests.expectOnly("cloud.pool", in: answer, detail: "idle 0 is below minIdle 2")
        let pool = answer.findings.first { $0.check == "cloud.pool" }
        #expect(pool?.detail.contains("could not grow") == true && pool?.detail.contains("Forbidden.RAM") == true, "\(String(describing: pool))")
        #expect(pool?.fix?.contains("RAM policy") == true, "\(String(describing: pool))")
        await node.stop()
    }

    /// minIdle above what the instance type allows (ecs.g6.large: one ENI of 5 pod addresses).
    @Test func thePoolIsBelowItsMinimumAtTheInstancesQuota() async throws {
        let node = try await CloudDoctorNode(type: "ecs.g6.large", pool: "{ minIdle: 8, maxIdle: 10, idleReclaimAfter: 300 }", idle: 5)
        let answer = try await node.doctor()
        NodeDoctorTests.expectOnly("cloud.pool", in: answer, detail: "idle 5 is below minIdle 8")
        #expect(answer.findings.first { $0.check == "cloud.pool" }?.fix?.contains("lower cloud.pool.minIdle") == true, "\(answer.findings)")
        await node.stop()
    }

    /// An address given to a pod whose rules never made it (an ADD that failed half way).
    @Test func aPodWithoutItsRules() async throws {
        let node = try await CloudDoctorNode()
        try await node.addPod("p1")
        try await node.addPod("p2", rules: false)
        try await node.waitForIdle(2)
        NodeDoctorTests.expectOnly("cloud.routing", in: try await node.doctor(), detail: "2 pods hold addresses but 1 have their rules")
        await node.stop()
    }

    /// A pod's rules left to an ENI table the node no longer has.
    @Test func aLeftoverRuleToATableNoENIHas() async throws {
        let node = try await CloudDoctorNode()
        try node.namespace.exec(["ip", "rule", "add", "priority", "512", "to", "192.168.9.9/32", "lookup", "main"])
        try node.namespace.exec(["ip", "rule", "add", "priority", "2048", "from", "192.168.9.9/32", "lookup", "1099"])
        NodeDoctorTests.expectOnly("cloud.routing", in: try await node.doctor(), detail: "`from 192.168.9.9/32 lookup 1099`: no attached ENI has table 1099")
        await node.stop()
    }

    /// What the running agent puts back at once (an ENI table's default route, a rule it has
    /// seen), read by the pure check.
    @Test func theRoutingCheckNamesEachMissingPiece() {
        let pod = IPPrefix("192.168.0.20/32")!, other = IPPrefix("192.168.0.21/32")!
        let rules = [Rule(family: .v4, priority: 512, destination: pod, table: 254),
                     Rule(family: .v4, priority: 2048, source: pod, table: 1001),
                     Rule(family: .v4, priority: 512, destination: other, table: 254),
                     Rule(family: .v4, priority: 32766, table: 254)]
        let problems = NodeDoctor.podRoutingProblems(enis: [("eni-1", 1001), ("eni-2", 1002)], rules: rules,
                                                     tablesWithDefault: [254, 1001], inUse: 2)
        #expect(problems == [
            "table 1002 of eni-2 has no default route: its pods' traffic cannot leave the node",
            "192.168.0.21/32 has no `from 192.168.0.21/32 lookup <ENI table>` rule (priority 2048): the pod's traffic leaves by the main table, not its ENI",
            "2 pods hold addresses but 1 have their rules: the others' traffic goes nowhere",
        ])
        #expect(NodeDoctor.eniTable("eni-abc slot 2 table 1002 00:16:3e:00:00:02 vsw-a, 3 addresses")! == ("eni-abc", 1002))
        #expect(NodeDoctor.podRoutingProblems(enis: [("eni-1", 1001)], rules: Array(rules.prefix(2)), tablesWithDefault: [1001], inUse: 1) == [])
    }
}
