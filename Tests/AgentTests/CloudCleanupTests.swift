import CNIProtocol
import Datapath
import Foundation
import Testing
import TestSupport

/// `terway-edged --cleanup` with role cloud, against the emulator with its real datapath.
@Suite(.serialized) struct CloudCleanupTests {
    @Test func cleanupLeavesThePrimaryENIAloneAndIsIdempotent() async throws {
        let lab = try await CloudLab(type: "ecs.g7.4xlarge", ipv6Cidr: "2408:4000:10::/64")
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 2, maxIdle: 6, idleReclaimAfter: 60 }"))
        // 25 pods: two ENIs of 19 dual-stack addresses.
        var grants: [PodAddressGrant] = []
        for index in 0..<25 {
            guard case .granted(let grant) = try await lab.allocate("c\(index)") else { Issue.record("\(lab.log)"); return }
            grants.append(grant)
        }
        #expect(try await lab.cloudENIs().count == 2)
        // The second ENI was created on a vSwitch known dual-stack: with its IPv6 addresses.
        #expect(grants.allSatisfy { $0.addresses.map(\.family) == [.v4, .v6] }, "\(grants.filter { $0.addresses.count != 2 })")
        // One pod's host state as the plugin leaves it.
        let address = grants[0].addresses[0].description, table = "\(grants[0].eni.table)"
        let host = EdgeDatapath.hostInterfaceName(containerID: "c0", ifName: "eth0")
        let node = lab.node
        try await offPool {
            try node.exec(["ip", "link", "add", host, "type", "veth", "peer", "name", "c0peer"])
            try node.exec(["ip", "link", "set", host, "up"])
            try node.exec(["ip", "route", "add", "\(address)/32", "dev", host, "scope", "link"])
            try node.exec(["ip", "rule", "add", "pref", "512", "to", "\(address)/32", "lookup", "main"])
            try node.exec(["ip", "rule", "add", "pref", "2048", "from", "\(address)/32", "lookup", table])
        }
        await lab.stopAgent()

        let binary = try builtExecutable("terway-edged"), config = lab.folder.file("agent.yaml")
        let first = try await offPool { try run([binary, "--cleanup", "--config", config], check: false) }
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        print(first.stdout.split(separator: "\n").filter { $0.contains("cleanup:") }.joined(separator: "\n"))
        let world = try await lab.client.describeNetworkInterfaces()
        #expect(world.count == 1 && world[0].type == "Primary" && world[0].privateIPs == [world[0].primaryIP] && world[0].ipv6s.isEmpty,
                "\(world.map { "\($0.id) \($0.type) \($0.privateIPs) \($0.ipv6s)" })")
        let (rules, routes, tableRoutes) = try await offPool {
            (try node.exec(["ip", "rule", "show"]).stdout + node.exec(["ip", "-6", "rule", "show"]).stdout,
             try node.exec(["ip", "route", "show"]).stdout,
             try node.exec(["ip", "route", "show", "table", table]).stdout + node.exec(["ip", "-6", "route", "show", "table", table]).stdout)
        }
        #expect(!rules.contains("lookup \(table)") && !rules.contains(address + " "), "\(rules)")
        #expect(!routes.contains(address + " "), "\(routes)")
        #expect(tableRoutes.isEmpty, "\(tableRoutes)")

        // Again: nothing left to do, and it says so.
        let second = try await offPool { try run([binary, "--cleanup", "--config", config], check: false) }
        #expect(second.status == 0 && second.stdout.contains("deleted 0 ENIs"), "\(second.stdout)\(second.stderr)")
    }
}
