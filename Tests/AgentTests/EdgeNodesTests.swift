import Foundation
import Testing
import TestSupport

/// Whole agents: four edge nodes on one segment and a BIRD gateway rendered from the plan
/// the agents read, pods wired by the plugin from the agents' subnet files.
@Suite(.serialized) struct EdgeNodesTests {
    /// Four nodes, their agents and two pods each; waits until the gateway learned every node subnet.
    static func fourNodes(store: String? = nil) throws -> EdgeLab {
        let lab = try EdgeLab(store: store)
        try lab.startGateway()
        for index in 1...4 { try lab.startAgent(try lab.addNode(index)) }
        for node in lab.nodes {
            try lab.addPod(node, "\(node.name.suffix(1))a")
            try lab.addPod(node, "\(node.name.suffix(1))b")
        }
        return lab
    }

    /// The node subnets of all agents' leases (from their status), both families.
    static func leasedSubnets(_ lab: EdgeLab) throws -> Set<String> {
        var subnets: Set<String> = []
        for node in lab.nodes {
            subnets.formUnion((try lab.status(node)["lease"] as? [String: Any])?["subnets"] as? [String] ?? [])
        }
        return subnets
    }

    static func expectEveryPodReachesEveryOther(_ lab: EdgeLab) throws {
        let pods = lab.nodes.flatMap(\.pods)
        var failed: [String] = []
        for from in pods {
            for to in pods where to.address4 != from.address4 {
                for address in [to.address4, to.address6] where try !lab.ping(from, address) {
                    failed.append("\(from.address4) -> \(address)")
                }
            }
        }
        #expect(failed.isEmpty, "unreachable: \(failed)\n\(lab.logs())")
    }

    @Test func fourNodesPodsReachEachOtherAndTheGatewayLearnsEveryNodeSubnet() throws {
        let lab = try Self.fourNodes()
        let subnets = try Self.leasedSubnets(lab)
        #expect(subnets.count == 8, "\(subnets)")
        let learned = try waitUntil(timeout: 30, interval: 0.2) { try lab.gatewayRoutes().isSuperset(of: subnets) }
        #expect(learned, "gateway has \((try? lab.gatewayRoutes()) ?? []), leases \(subnets)\n\(lab.logs())")
        try Self.expectEveryPodReachesEveryOther(lab)

        // The status a person reads: exactly the keys.
        let status = try lab.status(lab.nodes[0])
        #expect(Set(status.keys) == ["node", "role", "domain", "lease", "routes", "peers", "masquerade", "problems"])
        #expect(status["node"] as? String == "edge-1" && status["role"] as? String == "edge" && status["domain"] as? String == "dc1")
        #expect(Set((status["lease"] as? [String: Any])?.keys.map { $0 } ?? []) == ["subnets", "expiresAt"])
        let peers = status["peers"] as? [[String: Any]] ?? []
        #expect(peers.count == 2 && peers.allSatisfy { $0["state"] as? String == "Established" }, "\(peers)")
        let table = try run([lab.cliBinary, "status", "--socket", lab.nodes[0].socket]).stdout
        #expect(table.contains("NODE edge-1  ROLE edge  DOMAIN dc1") && table.contains("Established"), "\(table)")
    }
}
