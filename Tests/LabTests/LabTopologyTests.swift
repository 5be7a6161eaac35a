import Foundation
import Lab
import NetworkCore
import Plan
import Testing
import TestSupport

/// The topology `lab up` builds, read from the plan alone (no root needed).
struct LabTopologyTests {
    static func plan(_ name: String) throws -> Plan {
        try Plan(yaml: PlanFixture.exampleText(name))
    }

    static func lines(_ topology: LabTopology, _ phase: LabTopology.Phase, _ namespace: String) -> [String] {
        topology.batches(phase).first { $0.namespace == namespace }?.lines ?? []
    }

    @Test func seedDevicesCarryThePlansRoutes() throws {
        let topology = try LabTopology(plan: Self.plan("seed.yaml"), size: LabSize())
        // --for vpc: the edge pods and the data center's networks to the VBR.
        #expect(Self.lines(topology, .routes, "te-lab-vpc") == [
            "route replace 10.0.0.0/16 via 169.254.250.2 dev vbr1", "route replace 172.16.0.0/16 via 169.254.250.2 dev vbr1"])
        // --for vbr: over Express Connect to the router's circuit address, the VPC back.
        #expect(Self.lines(topology, .routes, "te-lab-vbr1") == [
            "route replace 10.0.0.0/16 via 172.31.255.2 dev ec0", "route replace 192.168.0.0/16 via 169.254.250.1 dev vpc0",
            "route replace 172.16.0.0/16 via 172.31.255.2 dev ec0"])
        // --for dc-router: the gateway route is skipped (the router is the gateway); the VPC over the circuit.
        #expect(Self.lines(topology, .routes, "te-lab-dc1") == [
            "route replace 192.168.0.0/16 via 172.31.255.1", "route replace default via 203.0.113.1 dev inet0"])
        #expect(Self.lines(topology, .addresses, "te-lab-vbr1").contains("addr add 172.31.255.1/30 dev ec0"))
        #expect(Self.lines(topology, .addresses, "te-lab-dc1").contains("addr add 172.16.10.1/24 dev br0"))
        #expect(Self.lines(topology, .addresses, "te-lab-vpc").contains("addr add 100.100.100.200/32 dev lo"))
    }

    @Test func seedSizesAndNames() throws {
        let topology = try LabTopology(plan: Self.plan("seed.yaml"), size: LabSize(edgeNodes: 3, cloudNodes: 2, podsPerNode: 2))
        #expect(topology.edgeNodes.map(\.addresses) == [["172.16.10.10"], ["172.16.10.11"], ["172.16.10.12"]])
        #expect(topology.edgeNodes.allSatisfy { $0.gateways == ["172.16.10.1"] && $0.domain == "dc1" })
        #expect(topology.instances.map(\.primaryIP) == ["192.168.0.10", "192.168.16.10", "192.168.0.20", "192.168.16.20"])
        #expect(topology.instances.filter(\.isCloudNode).count == 2)
        #expect(topology.namespaces.allSatisfy { $0.name.hasPrefix("te-lab-") })
        // Every veth end and bridge name fits IFNAMSIZ.
        #expect(topology.veths.flatMap { [$0.a.device, $0.b.device] }.allSatisfy { $0.utf8.count <= 15 })
        // The whole batch never names the root namespace: every line runs inside a lab namespace.
        for phase in LabTopology.Phase.allCases {
            #expect(topology.batches(phase).allSatisfy { $0.namespace.hasPrefix("te-lab-") })
        }
        #expect(LabTopology.isOutsideCluster(IPAddress(LabTopology.internetHost)!, plan: topology.plan))
    }

    @Test func twoDomainsGetTheirOwnGatewaysAndDualStackSegments() throws {
        let topology = try LabTopology(plan: Self.plan("two-domains.yaml"), size: LabSize(edgeNodes: 10, cloudNodes: 2, podsPerNode: 2))
        #expect(topology.gateways.map(\.domain) == ["beijing", "shanghai"])
        #expect(topology.gateways.map(\.namespace) == ["te-lab-dc1", "te-lab-dc2"])
        #expect(topology.gateways[0].addresses == ["172.16.10.1", "fd00:ac10:0:10::1"])
        let beijing = topology.edgeNodes.filter { $0.domain == "beijing" }, shanghai = topology.edgeNodes.filter { $0.domain == "shanghai" }
        #expect(beijing.count == 5 && shanghai.count == 5)
        #expect(beijing[0].addresses == ["172.16.10.10", "fd00:ac10:0:10::a"])
        // Shanghai's two node networks are two segments, nodes alternate.
        #expect(shanghai.map { $0.addresses[0] } == ["172.17.20.10", "172.17.21.10", "172.17.20.11", "172.17.21.11", "172.17.20.12"])
        // Beijing's router reaches Shanghai's pods through its VBR (plan: edge domain to edge domain).
        #expect(Self.lines(topology, .routes, "te-lab-dc1").contains("route replace 10.1.0.0/16 via 172.31.255.1"))
        #expect(Self.lines(topology, .routes, "te-lab-vpc").contains("route replace 10.1.0.0/16 via 169.254.250.6 dev vbr2"))
    }

    @Test func theEmulatorsWorldHoldsEveryInstanceInItsNamespace() throws {
        let topology = try LabTopology(plan: Self.plan("seed.yaml"), size: LabSize())
        let world = topology.cloudWorld
        #expect(world.contains("namespace: te-lab-vpc"))
        #expect(world.contains("{ id: i-node-2, type: ecs.g6.large, vSwitch: vsw-zone-i, primaryIP: 192.168.16.20, namespace: te-lab-cn2"))
        #expect(world.contains("metadataListen: 100.100.100.200:80"))
    }

    /// The plan's IPv6 vSwitch blocks reach the emulator: cloud pods there are dual-stack.
    @Test func theWorldOfADualStackPlanGivesItsVSwitchesTheirIPv6Blocks() throws {
        let world = try LabTopology(plan: Self.plan("two-domains.yaml"), size: LabSize()).cloudWorld
        #expect(world.contains(#"cidr: 192.168.0.0/20, ipv6Cidr: "2400:3200:1a:101::/64" }"#), "\(world)")
        #expect(world.contains(#"cidr: 192.168.16.0/20, ipv6Cidr: "2400:3200:1a:102::/64" }"#), "\(world)")
        #expect(world.contains("eniIpv6AddressQuantity: 6"), "\(world)")
        #expect(!(try LabTopology(plan: Self.plan("seed.yaml"), size: LabSize()).cloudWorld.contains("ipv6Cidr")))
    }

    @Test func aDataCenterWithTwoDomainsIsRefusedWithTheReason() throws {
        let text = try PlanFixture.exampleText("two-domains.yaml")
            .replacingOccurrences(of: "dataCenter: shanghai-dc", with: "dataCenter: beijing-dc")
        let error = #expect(throws: LabError.self) { try LabTopology(plan: Plan(yaml: text), size: LabSize()) }
        #expect(error?.description.contains("one edge gateway (BIRD) per data-center router") == true)
    }
}
