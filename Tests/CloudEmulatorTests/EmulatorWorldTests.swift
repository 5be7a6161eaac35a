import CloudAPI
import CloudEmulator
import ConfigFile
import Testing
import TestSupport

/// The world file is read as every other configuration file is (ConfigFile): the example
/// loads as written; an unknown key, a bad value or a name that resolves to nothing is an
/// error naming the line and the field.
@Suite struct EmulatorWorldTests {
    @Test func theExampleLoads() throws {
        let world = try EmulatorWorld.load(yaml: try PlanFixture.exampleText("cloud-world.yaml"))
        #expect(world.region == "cn-hangzhou" && world.zones == ["cn-hangzhou-h", "cn-hangzhou-i"])
        #expect(world.vpc.id == "vpc-lab" && world.vpc.cidrs == ["192.168.0.0/16"] && world.vpc.namespace == nil)
        #expect(world.vSwitches.map(\.id) == ["vsw-zone-h", "vsw-zone-i"] && world.vSwitches[1].cidr == "192.168.16.0/20")
        #expect(world.securityGroups == ["sg-lab"])
        #expect(world.instanceTypes == [InstanceTypeQuota(id: "ecs.g6.large", eniQuantity: 2, eniPrivateIpAddressQuantity: 6, eniIpv6AddressQuantity: 1)])
        #expect(world.instances.map(\.id) == ["i-cloud-1", "i-cloud-2"] && world.instances[1].primaryIP == "192.168.16.10")
        #expect(world.instances.allSatisfy { $0.ramRole == "terway-edge" && $0.status == nil && $0.namespace == nil })
        #expect(world.accessKeys.map(\.id) == ["LTAI-lab"] && world.accessKeys[0].secret == "lab-secret")
        #expect(world.ramRoles.map(\.name) == ["terway-edge"] && world.ramRoles[0].ttlSeconds == 3600)
        #expect(world.metadataDefaultInstance == "i-cloud-1" && world.state == nil)
        #expect(world.listen == "127.0.0.1:8460" && world.metadataListen == "127.0.0.1:8461")
        #expect(world.delays.attach == 0.5 && world.delays.detach == 0.5 && world.delays.metadata == 0.5)
        #expect(world.faults.latency == 0 && world.faults.failureRate == 0 && world.faults.throttle.isEmpty)
    }

    @Test func faultsAndDefaults() throws {
        let world = try EmulatorWorld.load(yaml: EmulatorHarness.testWorld(
            extra: "faults: { lostAnswerRate: 0.1, throttle: { AssignPrivateIpAddresses: { fraction: 0.5 }, \"*\": { perSecond: 20 } } }"))
        #expect(world.faults.lostAnswerRate == 0.1 && world.faults.throttle["AssignPrivateIpAddresses"]?.fraction == 0.5)
        #expect(world.faults.throttle["*"]?.perSecond == 20 && world.faults.throttle["*"]?.fraction == nil)
        #expect(world.instances.first { $0.id == "i-starting" }?.status == "Starting")
        #expect(world.accessKeys[1].deny == ["AssignPrivateIpAddresses", "DescribeVSwitches"])
    }

    /// Edits of the example (one line each) and the error they give: line, field, message.
    static let refusals: [(from: String, to: String, error: ConfigError)] = [
        // Unknown keys: a misspelt field would otherwise vanish silently.
        ("primaryIP: 192.168.0.10", "primaryIp: 192.168.0.10", ConfigError(line: 21, field: "instances[0].primaryIp",
            "unknown field; expected one of id, type, vSwitch, primaryIP, namespace, ramRole, status")),
        ("metadataDefaultInstance:", "metadataDefault:", ConfigError(line: 27, field: "metadataDefault",
            "unknown field; expected one of region, zones, vpc, vSwitches, securityGroups, instanceTypes, instances, accessKeys, "
            + "ramRoles, listen, metadataListen, state, delays, faults, metadataDefaultInstance")),
        ("throttle: {}", "throttle: { \"*\": { fractoin: 0.5 } }", ConfigError(line: 35, field: "faults.throttle.*.fractoin",
            "unknown field; expected one of fraction, perSecond")),
        // Bad values.
        ("delays: { attach: 0.5", "delays: { attach: soon", ConfigError(line: 31, field: "delays.attach",
            "expected a number from 0.0 to 3600.0, found \"soon\"")),
        ("failureRate: 0 ", "failureRate: 2 ", ConfigError(line: 34, field: "faults.failureRate",
            "expected a number from 0.0 to 1.0, found \"2\"")),
        ("eniQuantity: 2", "eniQuantity: two", ConfigError(line: 18, field: "instanceTypes[0].eniQuantity",
            "expected an integer from 1 to 1024, found \"two\"")),
        ("cidr: 192.168.16.0/20", "cidr: 10.0.0.0/20", ConfigError(line: 13, field: "vSwitches[1].cidr",
            "10.0.0.0/20 is not an IPv4 block inside the VPC's cidrs")),
        ("cidrs: [192.168.0.0/16]", "cidrs: [192.168.1.0/16]", ConfigError(line: 9, field: "vpc.cidrs[0]",
            "'192.168.1.0/16' has host bits set; the block is 192.168.0.0/16")),
        ("primaryIP: 192.168.16.10", "primaryIP: 192.168.0.10", ConfigError(line: 22, field: "instances[1].primaryIP",
            "192.168.0.10 is not in vsw-zone-i's 192.168.16.0/20")),
        ("listen: 127.0.0.1:8460", "listen: 127.0.0.1", ConfigError(line: 28, field: "listen",
            "expected ADDR:PORT, found \"127.0.0.1\"")),
        // Names that resolve to nothing, and a name given twice.
        ("type: ecs.g6.large, vSwitch: vsw-zone-i", "type: ecs.g7.large, vSwitch: vsw-zone-i", ConfigError(line: 22, field: "instances[1].type",
            "no instance type is named ecs.g7.large")),
        ("zone: cn-hangzhou-i,", "zone: cn-hangzhou-j,", ConfigError(line: 13, field: "vSwitches[1].zone",
            "cn-hangzhou-j is not one of the zones (cn-hangzhou-h, cn-hangzhou-i)")),
        ("metadataDefaultInstance: i-cloud-1", "metadataDefaultInstance: i-cloud-3", ConfigError(line: 27, field: "metadataDefaultInstance",
            "no instance is named i-cloud-3")),
        ("id: i-cloud-2", "id: i-cloud-1", ConfigError(line: 22, field: "instances[1]", "i-cloud-1 is listed twice")),
    ]

    @Test(arguments: refusals.indices)
    func refusalNamesTheLineAndField(_ index: Int) throws {
        let (from, to, expected) = Self.refusals[index]
        let example = try PlanFixture.exampleText("cloud-world.yaml")
        #expect(example.components(separatedBy: from).count == 2, "the edit matches once")
        let error = #expect(throws: ConfigError.self) { try EmulatorWorld.load(yaml: example.replacingOccurrences(of: from, with: to)) }
        #expect(error == expected)
    }
}
