import CloudAPI
import CloudENI
import Foundation
import Testing
import TestSupport

/// Our client through the whole life cycle with each signature style, paging, and the
/// documented errors surfaced as typed values.
@Suite struct ClientLifeCycleTests {
    @Test(arguments: SignatureStyle.allCases)
    func lifeCycle(style: SignatureStyle) async throws {
        // Attaching lasts a second, long enough to be seen on a loaded machine.
        let harness = try await EmulatorHarness(yaml: EmulatorHarness.testWorld(delays: "{ attach: 1.0, detach: 0.2, metadata: 0.2 }"))
        let c = ClientHarness(harness, style: style)
        defer { Task { await c.close(); await harness.stop() } }
        let client = c.client

        let free = try #require(try await client.describeVSwitches(vpcId: "vpc-lab").first { $0.id == "vsw-zone-h" }).availableIpAddressCount
        let eni = try await client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"], tags: ["pool": "test"])
        #expect(eni.status == "Available" && eni.privateIPs == [eni.primaryIP] && eni.macAddress.hasPrefix("00:16:3e:"))
        try await client.attachNetworkInterface(eni.id, to: "i-big-1")
        #expect(try await client.describeNetworkInterface(eni.id).status == "Attaching")
        _ = try await client.waitForNetworkInterface(eni.id, status: "InUse")
        let assigned = try await client.assignPrivateIpAddresses(eni.id, count: 10)
        #expect(assigned.count == 10 && Set(assigned).count == 10)
        let v6 = try await client.assignIpv6Addresses(eni.id, count: 1)
        #expect(v6.count == 1 && v6[0].hasPrefix("2408:4000:1::"))
        let described = try await client.describeNetworkInterface(eni.id)
        #expect(Set(described.privateIPs) == Set([eni.primaryIP] + assigned) && described.ipv6s == v6)
        #expect(described.instanceId == "i-big-1" && described.tags == ["pool": "test"])
        let afterAssign = try #require(try await client.describeVSwitches(vSwitchId: "vsw-zone-h").first).availableIpAddressCount
        #expect(afterAssign == free - 11)
        let types = try await client.describeInstanceTypes(["ecs.g6.large"])
        #expect(types == [InstanceTypeQuota(id: "ecs.g6.large", eniQuantity: 2, eniPrivateIpAddressQuantity: 6, eniIpv6AddressQuantity: 1)])
        let onInstance = try await client.describeNetworkInterfaces(instanceId: "i-big-1")
        #expect(Set(onInstance.map(\.type)) == ["Primary", "Secondary"])

        try await client.unassignPrivateIpAddresses(eni.id, addresses: assigned)
        try await client.unassignIpv6Addresses(eni.id, addresses: v6)
        try await client.detachNetworkInterface(eni.id, from: "i-big-1")
        _ = try await client.waitForNetworkInterface(eni.id, status: "Available")
        try await client.deleteNetworkInterface(eni.id)
        #expect(try await client.describeNetworkInterfaces(eniIds: [eni.id]).isEmpty)
        // Cleanup that finds things already gone converges instead of failing.
        try await client.unassignPrivateIpAddresses(eni.id, addresses: assigned)
        try await client.deleteNetworkInterface(eni.id)
    }

    @Test func describeFollowsNextTokenAcrossPages() async throws {
        let harness = try await EmulatorHarness()
        let c = ClientHarness(harness)
        defer { Task { await c.close(); await harness.stop() } }
        var ids: [String] = []
        for _ in 0..<23 {
            ids.append(try await c.client.createNetworkInterface(vSwitchId: "vsw-zone-i", securityGroupIds: ["sg-lab"], tags: ["page": "yes"]).id)
        }
        let listed = try await c.client.describeNetworkInterfaces(tags: ["page": "yes"], pageSize: 10)
        #expect(listed.map(\.id) == ids)
        #expect(await c.client.statistics.calls == 23 + 3)
    }

    @Test func aRepeatedClientTokenIsAppliedOnce() async throws {
        let harness = try await EmulatorHarness()
        let c = ClientHarness(harness)
        defer { Task { await c.close(); await harness.stop() } }
        let eni = try await c.client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
        var request = CloudRequest.assignPrivateIpAddresses(region: "cn-hangzhou", eniId: eni.id, count: 2)
        request.parameters["ClientToken"] = "same-token"
        let first = try await c.client.call(request)
        let second = try await c.client.call(request)
        #expect(first["AssignedPrivateIpAddressesSet"] == second["AssignedPrivateIpAddressesSet"] && first["RequestId"] != second["RequestId"])
        #expect(try await c.client.describeNetworkInterface(eni.id).privateIPs.count == 3)
        request.parameters["SecondaryPrivateIpAddressCount"] = "3"
        await #expect(throws: CloudAPIError.self) { _ = try await c.client.call(request) }
    }

    @Test func stateSurvivesARestart() async throws {
        let folder = try TemporaryDirectory("te-cloud")
        let state = folder.file("world.json")
        let first = try await EmulatorHarness(statePath: state)
        let c1 = ClientHarness(first)
        let eni = try await c1.client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
        let ips = try await c1.client.assignPrivateIpAddresses(eni.id, count: 3)
        await c1.close()
        await first.stop()
        let second = try await EmulatorHarness(statePath: state)
        let c2 = ClientHarness(second)
        defer { Task { await c2.close(); await second.stop() } }
        let again = try await c2.client.describeNetworkInterface(eni.id)
        #expect(again.privateIPs == [eni.primaryIP] + ips && again.macAddress == eni.macAddress)
        // The primary ENIs were not made twice.
        #expect(try await c2.client.describeNetworkInterfaces(instanceId: "i-big-1").count == 1)
    }
}
