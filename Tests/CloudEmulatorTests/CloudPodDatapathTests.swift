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

        let add = try Self.add(pod, on: node, socket: fixture.path, containerID: "c1")
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

    /// Dual stack: a pod on each of two nodes, each with an IPv4 and an IPv6 address of its
    /// node's ENI (`AssignIpv6Addresses`) on a vSwitch with an IPv6 block; they reach each
    /// other over IPv6 through the VPC router, which routes the ENIs' IPv6 addresses as it
    /// does the IPv4 ones and answers neighbour solicitations for them (proxy NDP); a VM's
    /// IPv6 address on its primary ENI is reached the same way.
    @Test func podsOnTwoNodesReachEachOtherOverIPv6ThroughTheVPC() async throws {
        let vpc = try TestNamespace("vpc")
        let nodes = [try TestNamespace("node1"), try TestNamespace("node2")]
        let pods = [try TestNamespace("pod1"), try TestNamespace("pod2")]
        let scratch = try TemporaryDirectory("te-cloudpod6")
        let instances = ["i-big-1", "i-cloud-1"]
        let harness = try await EmulatorHarness(yaml: EmulatorHarness.testWorld(
            vpcNamespace: vpc.name, namespaces: [instances[0]: nodes[0].name, instances[1]: nodes[1].name],
            delays: "{ attach: 0.1, detach: 0.1, metadata: 0.1 }"))
        let c = ClientHarness(harness)
        defer { Task { await c.close(); await harness.stop() } }

        var assigned: [[IPAddress]] = []
        var fixtures: [PodAddressFixture] = []
        for index in 0..<2 {
            let eni = try await c.client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
            try await c.client.attachNetworkInterface(eni.id, to: instances[index])
            _ = try await c.client.waitForNetworkInterface(eni.id, status: "InUse", interval: 0.05)
            let ipv4 = try #require(try await c.client.assignPrivateIpAddresses(eni.id, count: 1).first.flatMap(IPAddress.init))
            let ipv6 = try #require(try await c.client.assignIpv6Addresses(eni.id, count: 1).first.flatMap(IPAddress.init))
            assigned.append([ipv4, ipv6])
            let binding = PodAddressGrant.ENIBinding(mac: try #require(MACAddress(eni.macAddress)), slot: 1,
                                                     gateways: [IPAddress("192.168.15.253")!, IPAddress("2408:4000:1::1")!],
                                                     subnets: [IPPrefix("192.168.0.0/20")!, IPPrefix("2408:4000:1::/64")!])
            fixtures.append(try PodAddressFixture(path: scratch.file("ip\(index).sock"), eni: binding, addresses: [[ipv4, ipv6]]))
            let add = try Self.add(pods[index], on: nodes[index], socket: fixtures[index].path, containerID: "c\(index)")
            #expect(add.status == 0, "\(add.stdout)")
        }
        let addresses = assigned
        // The nodes' ENIs come up with a tentative link-local address (duplicate address
        // detection, about 1 s): until then they send no neighbour solicitation.
        let (first, second) = try await offPool {
            let first = waitUntil(timeout: 10, interval: 0.2) {
                (try? pods[0].exec(["ping", "-6", "-c", "1", "-W", "1", "\(addresses[1][1])"], check: false).succeeded) == true
            }
            return (first, try pods[1].exec(["ping", "-6", "-c", "2", "-i", "0.2", "-W", "1", "\(addresses[0][1])"], check: false))
        }
        #expect(first, "pod 1 reaches pod 2 at \(addresses[1][1]) over IPv6")
        #expect(second.succeeded, "pod 2 reaches pod 1 at \(addresses[0][1]) over IPv6: \(second.stdout)")
        let routes = try vpc.exec(["ip", "-6", "route", "show", "\(addresses[1][1])/128"]).stdout
        #expect(!routes.isEmpty && !routes.contains("via"), "a plain route to the ENI, no tunnel: \(routes)")
        // An IPv6 address of the first instance's primary ENI (configured in the instance, as
        // DHCPv6 would): the pod on the other node reaches the VM there too.
        let primary = try #require(try await c.client.describeNetworkInterfaces(instanceId: instances[0]).first { $0.type == "Primary" })
        let vm = try #require(try await c.client.assignIpv6Addresses(primary.id, count: 1).first)
        let vmReached = try await offPool {
            waitUntil(timeout: 10, interval: 0.2) { (try? pods[1].exec(["ping", "-6", "-c", "1", "-W", "1", vm], check: false).succeeded) == true }
        }
        #expect(vmReached, "pod 2 reaches the VM at \(vm) on the primary ENI of \(instances[0]) over IPv6")
        // And IPv4 between the same pods still works beside it.
        #expect(try await offPool { try pods[0].exec(["ping", "-c", "2", "-i", "0.2", "-W", "1", "\(addresses[1][0])"], check: false).succeeded })
    }

    /// `terway-edge-cni` ADD (mode cloud) of `pod` on `node`, its grant from `socket`.
    private static func add(_ pod: TestNamespace, on node: TestNamespace, socket: String, containerID: String) throws -> CommandResult {
        let config: JSONValue = ["cniVersion": "1.1.0", "name": "vpc", "type": "terway-edge-cni", "mode": "cloud", "socket": .string(socket)]
        return try node.exec([try builtExecutable("terway-edge-cni")], stdin: config.serialized(), environment: [
            "CNI_COMMAND": "ADD", "CNI_CONTAINERID": containerID, "CNI_NETNS": pod.path, "CNI_IFNAME": "eth0", "CNI_PATH": "/usr/lib/cni",
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], check: false)
    }
}
