import CloudAPI
import CloudENI
import Foundation
import Testing
import TestSupport

/// The emulator's real datapath in `te-` namespaces: a VPC router namespace and two VM
/// namespaces. An address assigned to an attached ENI answers ping from the other VM, with
/// no encapsulation; after unassign it does not; detach removes the NIC.
@Suite(.serialized) struct DatapathTests {
    @Test func assignedAddressOnAnAttachedENIAnswersPingUntilUnassigned() async throws {
        let vpc = try TestNamespace("vpc")
        let vm1 = try TestNamespace("vm1")
        let vm2 = try TestNamespace("vm2")
        let harness = try await EmulatorHarness(yaml: EmulatorHarness.testWorld(
            vpcNamespace: vpc.name, namespaces: ["i-big-1": vm1.name, "i-cloud-1": vm2.name],
            delays: "{ attach: 0.1, detach: 0.1, metadata: 0.1 }"))
        let c = ClientHarness(harness)
        defer { Task { await c.close(); await harness.stop() } }
        func ping(_ address: String) async throws -> Bool {
            try await offPool { try vm2.exec(["ping", "-c", "2", "-i", "0.2", "-W", "1", address], check: false).succeeded }
        }

        // The primary ENIs were plugged at start: VM to VM through the VPC router.
        #expect(try await ping("192.168.0.10"))

        let eni = try await c.client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
        try await c.client.attachNetworkInterface(eni.id, to: "i-big-1")
        _ = try await c.client.waitForNetworkInterface(eni.id, status: "InUse", interval: 0.05)
        let link = try vm1.exec(["ip", "-o", "link", "show", "eth1"]).stdout
        #expect(link.contains("link/ether \(eni.macAddress)"), "\(link)")
        let address = try #require(try await c.client.assignPrivateIpAddresses(eni.id, count: 1).first)
        // What the agent does on the node: the NIC up, the address on it.
        try vm1.exec(["sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0"])
        try vm1.exec(["ip", "link", "set", "eth1", "up"])
        try vm1.exec(["ip", "addr", "add", "\(address)/32", "dev", "eth1"])
        #expect(try await ping(address), "the assigned address answers")
        let routes = try vpc.exec(["ip", "route", "show", "\(address)/32"]).stdout
        #expect(!routes.isEmpty && !routes.contains("via"), "a plain route to the ENI, no tunnel: \(routes)")

        try await c.client.unassignPrivateIpAddresses(eni.id, addresses: [address])
        #expect(try await !ping(address), "unassigned: the VPC no longer routes it")

        try await c.client.detachNetworkInterface(eni.id, from: "i-big-1")
        _ = try await c.client.waitForNetworkInterface(eni.id, status: "Available", interval: 0.05)
        #expect(try !vm1.exec(["ip", "link", "show", "eth1"], check: false).succeeded, "detached: the NIC is gone")
        try await c.client.deleteNetworkInterface(eni.id)
    }

    /// As in the lab: the emulator runs inside the VPC namespace with metadata on
    /// 100.100.100.200:80, and each VM reaching it through its primary ENI is answered as
    /// itself, told apart by source address.
    @Test func metadataInTheVPCTellsInstancesApartBySource() async throws {
        try await offPool { try Self.metadataBySource() }
    }

    private static func metadataBySource() throws {
        let cli = try builtExecutable("terway-edge")
        let vpc = try TestNamespace("vpc")
        let vm1 = try TestNamespace("vm1")
        let vm2 = try TestNamespace("vm2")
        try vpc.exec(["ip", "addr", "add", "100.100.100.200/32", "dev", "lo"])
        let folder = try TemporaryDirectory("te-cloud-md")
        let yaml = EmulatorHarness.testWorld(vpcNamespace: vpc.name, namespaces: ["i-big-1": vm1.name, "i-cloud-1": vm2.name])
            .replacingOccurrences(of: "metadataDefaultInstance: i-cloud-1\n", with: "")
        try folder.write("world.yaml", yaml)
        let emulator = try vpc.spawn([cli, "cloud", "emulator", "--config", folder.file("world.yaml"),
                                      "--listen", "127.0.0.1:8460", "--metadata-listen", "100.100.100.200:80"],
                                     logFile: folder.file("emulator.log"))
        defer { emulator.terminate() }
        func metadata(_ vm: TestNamespace, _ path: String) throws -> CommandResult {
            let token = try vm.exec(["curl", "-sf", "-m", "2", "-X", "PUT", "-H", "X-aliyun-ecs-metadata-token-ttl-seconds: 60",
                                     "http://100.100.100.200/latest/api/token"], check: false)
            return try vm.exec(["curl", "-sf", "-m", "2", "-H", "X-aliyun-ecs-metadata-token: \(token.stdout)",
                                "http://100.100.100.200/latest/meta-data/\(path)"], check: false)
        }
        let up = waitUntil(timeout: 10) { (try? metadata(vm1, "instance-id"))?.succeeded == true }
        #expect(up, "\((try? String(contentsOfFile: folder.file("emulator.log"), encoding: .utf8)) ?? "")")
        #expect(try metadata(vm1, "instance-id").stdout == "i-big-1")
        #expect(try metadata(vm2, "instance-id").stdout == "i-cloud-1")
        #expect(try metadata(vm2, "private-ipv4").stdout == "192.168.0.11")
        // From an address that is no instance's (the VPC namespace's own loopback): no answer.
        #expect(try !vpc.exec(["curl", "-sf", "-m", "2", "-X", "PUT", "-H", "X-aliyun-ecs-metadata-token-ttl-seconds: 60",
                               "http://100.100.100.200/latest/api/token"], check: false).succeeded)
    }
}
