import Foundation
import Testing
import TestSupport

/// `terway-edge lab up`, `test`, `status` and `down` run as processes, as an operator runs
/// them, on the seed plan and on the two-domain plan; afterwards nothing of the lab is left:
/// no te-<lab>- namespace, no process, no state folder. Each run has its own lab name.
@Suite(.serialized) struct LabCommandTests {
    struct Lab {
        let cli: String
        let name = "t" + String(UInt32.random(in: 0..<UInt32.max) % 46656, radix: 36)

        init() throws {
            try requireRoot()
            cli = try builtExecutable("terway-edge")
        }

        func lab(_ arguments: [String]) throws -> CommandResult {
            try run([cli, "lab"] + arguments + ["--name", name], check: false)
        }

        var namespaces: [String] {
            ((try? run(["ip", "netns", "list"]).stdout) ?? "").split(separator: "\n")
                .compactMap { $0.split(separator: " ").first.map(String.init) }.filter { $0.hasPrefix("te-\(name)-") }
        }

        /// The lab's processes: any process inside one of its namespaces.
        var processes: [String] {
            namespaces.flatMap { ((try? run(["ip", "netns", "pids", $0]).stdout) ?? "").split(separator: "\n").map(String.init) }
        }
    }

    /// Runs up, test (JSON), status and down; returns the checks and up's time.
    /// `broken`: run on the lab after its test, before it goes down.
    static func upTestDown(_ plan: String, _ extra: [String], broken: (Lab) throws -> Void = { _ in }) throws
        -> (checks: [[String: Any]], upSeconds: Double, test: CommandResult) {
        let lab = try Lab()
        var downed = false
        defer { if !downed { _ = try? lab.lab(["down"]) } }
        let root = try Self.rootNetwork()
        let start = Date()
        let up = try lab.lab(["up", PlanFixture.example(plan)] + extra)
        let upSeconds = Date().timeIntervalSince(start)
        try #require(up.succeeded, "lab up: \(up.stdout)\(up.stderr)")
        // Nothing in the host's own namespace: its addresses and routes are as before, and
        // 100.100.100.200 lives only inside the lab.
        #expect(try Self.rootNetwork() == root)
        #expect(!root.contains("100.100.100.200"))
        let test = try lab.lab(["test", "--output", "json"])
        let checks = try JSONSerialization.jsonObject(with: Data(test.stdout.utf8)) as? [[String: Any]] ?? []
        let status = try lab.lab(["status"])
        #expect(status.succeeded && status.stdout.contains("ready"), "\(status.stdout)")
        #expect(!lab.processes.isEmpty)
        try broken(lab)
        let down = try lab.lab(["down"])
        downed = true
        #expect(down.succeeded, "\(down.stdout)\(down.stderr)")
        #expect(lab.namespaces.isEmpty, "left: \(lab.namespaces)")
        #expect(!FileManager.default.fileExists(atPath: "/run/terway-edge-lab/\(lab.name)"))
        return (checks, upSeconds, test)
    }

    /// The root namespace's addresses and routes, both families.
    static func rootNetwork() throws -> String {
        try [["-o", "addr"], ["-4", "route", "show", "table", "all"], ["-6", "route", "show", "table", "all"]]
            .map { try run(["ip"] + $0).stdout }.joined()
    }

    static func expectAllPass(_ checks: [[String: Any]], _ test: CommandResult, paths: Set<String>) {
        #expect(test.succeeded, "lab test: \(test.stdout)\(test.stderr)")
        for check in checks {
            #expect(Set(check.keys) == ["path", "from", "to", "ok", "latencyMs", "detail"])
            #expect(check["ok"] as? Bool == true, "\(check)")
        }
        let seen = Set(checks.compactMap { ($0["path"] as? String) })
        #expect(seen.isSuperset(of: paths), "paths tested: \(seen.sorted())")
    }

    @Test func seedPlanUpTestDownLeavesNothing() async throws {
        try await offPool {
            let (checks, seconds, test) = try Self.upTestDown("seed.yaml", []) { lab in
                // The VBR loses its route to the edge pods (inside the lab's own namespace): the
                // paths between the VPC and the edge pods fail, each naming the VBR as the hop where they stop.
                try run(["ip", "-n", "te-\(lab.name)-vbr1", "route", "del", "10.0.0.0/16"])
                let test = try lab.lab(["test", "--output", "json"])
                #expect(test.status == 1)
                let failed = (try JSONSerialization.jsonObject(with: Data(test.stdout.utf8)) as? [[String: Any]] ?? []).filter { $0["ok"] as? Bool == false }
                #expect(Set(failed.compactMap { $0["path"] as? String }) == ["edge-pod/ecs-vm", "ecs-vm/edge-pod", "edge-pod/cloud-pod", "cloud-pod/edge-pod"], "\(failed)")
                for check in failed {
                    #expect((check["detail"] as? String)?.contains("stops at VBR of dc1-site: no route to 10.0.") == true, "\(check)")
                }
            }
            Self.expectAllPass(checks, test, paths: ["plan", "bgp-session", "bgp-gateway", "edge-pod/edge-pod same-node",
                                                      "edge-pod/edge-pod cross-node", "edge-pod/ecs-vm", "ecs-vm/edge-pod",
                                                      "edge-pod/internet masquerade", "ecs-vm/metadata", "cloud-node/metadata",
                                                      "edge-pod/cloud-pod", "cloud-pod/edge-pod", "cloud-pod/cloud-pod same-node",
                                                      "cloud-pod/cloud-pod cross-node", "cloud-pod/ecs-vm"])
            print("lab up (seed, 3 edge nodes, 2 cloud nodes, 2 pods each): \(String(format: "%.1f", seconds)) s")
        }
    }

    @Test func twoDomainPlanUpTestDownLeavesNothing() async throws {
        try await offPool {
            // The issue's larger lab: 10 edge nodes in two domains, 2 cloud nodes.
            let (checks, seconds, test) = try Self.upTestDown("two-domains.yaml", ["--edge-nodes", "10", "--cloud-nodes", "2", "--pods-per-node", "2"])
            // The plan's vSwitches are dual-stack: cloud pods reach each other and the edge pods over IPv6 too.
            Self.expectAllPass(checks, test, paths: ["edge-pod/edge-pod cross-domain", "edge-pod/edge-pod same-node ipv6", "edge-pod/cloud-pod",
                                                      "edge-pod/ecs-vm", "edge-pod/internet masquerade", "bgp-gateway",
                                                      "cloud-pod/cloud-pod same-node ipv6", "cloud-pod/cloud-pod cross-node ipv6",
                                                      "edge-pod/cloud-pod ipv6", "cloud-pod/edge-pod ipv6"])
            print("lab up (two domains, 10 edge nodes, 2 cloud nodes, 2 pods each): \(String(format: "%.1f", seconds)) s")
        }
    }

    /// A plan `plan check` refuses builds nothing; a second `lab up` of a lab that is up is refused.
    @Test func anUnsoundPlanOrALabAlreadyUpIsRefusedAndBuildsNothing() async throws {
        try await offPool {
            let lab = try Lab()
            let folder = try TemporaryDirectory("te-lab-plan")
            try folder.write("broken.yaml", try PlanFixture.exampleText("seed.yaml").replacingOccurrences(of: "cidrs: [172.21.0.0/20]", with: "cidrs: [10.0.0.0/20]"))
            let broken = try lab.lab(["up", folder.file("broken.yaml")])
            #expect(broken.status == 1 && broken.stderr.contains("error"), "\(broken.stdout)\(broken.stderr)")
            #expect(lab.namespaces.isEmpty)

            defer { _ = try? lab.lab(["down"]) }
            let first = try lab.lab(["up", PlanFixture.example("seed.yaml"), "--edge-nodes", "1", "--cloud-nodes", "0", "--pods-per-node", "1"])
            try #require(first.succeeded, "\(first.stdout)\(first.stderr)")
            let count = lab.namespaces.count
            let second = try lab.lab(["up", PlanFixture.example("seed.yaml")])
            #expect(second.status == 1 && second.stderr.contains("is already up"), "\(second.stderr)")
            #expect(lab.namespaces.count == count)
        }
    }

    /// A `lab up` killed part way: `lab down` still removes every namespace and process.
    @Test func downAfterAKilledUpLeavesNothing() async throws {
        try await offPool {
            let lab = try Lab()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: lab.cli)
            process.arguments = ["lab", "up", PlanFixture.example("seed.yaml"), "--name", lab.name]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Until some daemons run: the emulator or BIRD inside the lab's namespaces.
            let started = waitUntil(timeout: 30, interval: 0.1) { !lab.processes.isEmpty }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(started, "lab up started no process within 30 s")
            #expect(!lab.namespaces.isEmpty)
            let down = try lab.lab(["down"])
            #expect(down.succeeded, "\(down.stdout)\(down.stderr)")
            #expect(lab.namespaces.isEmpty && lab.processes.isEmpty, "left: \(lab.namespaces)")
        }
    }
}
