import CloudAPI
import CloudENI
import CNIProtocol
import Foundation
import JSON
import NetworkCore
import PodAddressFixture
import Testing
import TestSupport

/// `terway-edge-cni` mode cloud on an instance of the emulator's real datapath: the pod takes
/// a secondary address the emulator assigned to an ENI it attached, and another VM reaches it
/// directly through the VPC. The grant comes from a fixture of the address socket built from
/// the emulator's answers (the agent's part), so this tests the plugin over the real VPC.
@Suite(.serialized) struct CloudPodDatapathTests {
    @Test func aPodOnASecondaryAddressIsReachedDirectlyFromAnotherVM() async throws {
        let vpc = try TestNamespace("vpc")
        let node = try TestNamespace("node")
        let vm = try TestNamespace("vm")
        let pod = try TestNamespace("pod")
        let scratch = try TemporaryDirectory("te-cloudpod")
        let harness = try await EmulatorHarness(yaml: EmulatorHarness.testWorld(
            vpcNamespace: vpc.name, namespaces: ["i-big-1": node.name, "i-cloud-1": vm.name],
            delays: "{ attach: 0.1, detach: 0.1, metadata: 0.1 }"))
        let c = ClientHarness(harness)
        defer { Task { await c.close(); await harness.stop() } }

        let eni = try await c.client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
        try await c.client.attachNetworkInterface(eni.id, to: "i-big-1")
        _ = try await c.client.waitForNetworkInterface(eni.id, status: "InUse", interval: 0.05)
        let address = try #require(try await c.client.assignPrivateIpAddresses(eni.id, count: 1).first)
        let binding = PodAddressGrant.ENIBinding(mac: try #require(MACAddress(eni.macAddress)), slot: 1,
                                                 gateways: [IPAddress("192.168.15.253")!], subnets: [IPPrefix("192.168.0.0/20")!])
        let fixture = try PodAddressFixture(path: scratch.file("ip.sock"), eni: binding, addresses: [[IPAddress(address)!]])

        let config: JSONValue = ["cniVersion": "1.1.0", "name": "vpc", "type": "terway-edge-cni", "mode": "cloud",
                                 "socket": .string(fixture.path)]
        let add = try node.exec([try builtExecutable("terway-edge-cni")], stdin: config.serialized(), environment: [
            "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c1", "CNI_NETNS": pod.path, "CNI_IFNAME": "eth0", "CNI_PATH": "/usr/lib/cni",
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], check: false)
        #expect(add.status == 0, "\(add.stdout)")
        let ok = try await offPool {
            (try vm.exec(["ping", "-c", "2", "-i", "0.2", "-W", "1", address], check: false).succeeded,
             try pod.exec(["ping", "-c", "2", "-i", "0.2", "-W", "1", "192.168.0.11"], check: false).succeeded)
        }
        #expect(ok.0, "the VM reaches the pod at \(address) directly")
        #expect(ok.1, "the pod reaches the VM through its ENI")
        let routes = try vpc.exec(["ip", "route", "show", "\(address)/32"]).stdout
        #expect(!routes.contains("via"), "a plain route to the ENI, no tunnel: \(routes)")
    }
}
