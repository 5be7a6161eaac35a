import CNI
import CNIProtocol
import Foundation
import JSON
import Netlink
import Testing
import TestSupport

/// `terway-edge-cni` mode cloud against the real `terway-edged` role cloud on the emulator
/// with its real datapath (`CloudLab`): the plugin's ADD, CHECK, DEL, GC and STATUS through
/// the agent's socket, the agent's repair of what the plugin installed, its quota error.
@Suite(.serialized) struct CloudPluginAgentTests {
    struct Run {
        let status: Int32
        let stdout: String
        var json: JSONValue? { try? JSONValue.parse(stdout) }
        var code: Int64? { json?["code"]?.integerValue }
        var message: String { (json?["msg"]?.stringValue ?? stdout) + " " + (json?["details"]?.stringValue ?? "") }
    }

    static func plugin(_ lab: CloudLab, _ command: String, containerID: String? = nil, pod: TestNamespace? = nil,
                       extra: [String: JSONValue] = [:]) throws -> Run {
        var config = JSONObject()
        config["cniVersion"] = "1.1.0"
        config["name"] = "vpc"
        config["type"] = "terway-edge-cni"
        config["mode"] = "cloud"
        config["socket"] = .string(lab.addressSocket)
        for (key, value) in extra { config[key] = value }
        var env = ["CNI_COMMAND": command, "CNI_PATH": "/usr/lib/cni", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                   "CNI_ARGS": "K8S_POD_NAMESPACE=default;K8S_POD_NAME=\(containerID ?? "-")"]
        env["CNI_CONTAINERID"] = containerID
        env["CNI_NETNS"] = pod?.path
        env["CNI_IFNAME"] = containerID == nil ? nil : "eth0"
        let result = try lab.node.exec([try builtExecutable("terway-edge-cni")], stdin: JSONValue.object(config).serialized(),
                                       environment: env, check: false)
        return Run(status: result.status, stdout: result.stdout)
    }

    @Test func aPodOnTheAgentsAddressIsReachedDirectlyAndItsRuleIsRepairedWithinOneSecond() async throws {
        let lab = try await CloudLab()
        defer { lab.stop() }
        try await lab.startAgent(lab.config())
        let pod = try TestNamespace("cpod")
        let add = try await offPool { try Self.plugin(lab, "ADD", containerID: "p1", pod: pod) }
        #expect(add.status == 0, "\(add.stdout) \(lab.log.suffix(2000))")
        let address = try #require(add.json?["ips"]?.arrayValue?.first?["address"]?.stringValue?.split(separator: "/").first.map(String.init))
        guard case .granted(let grant) = try await lab.request(.lookup(.init(containerID: "p1", ifName: "eth0"))) else {
            Issue.record("the agent holds no grant for p1"); return
        }
        #expect(grant.addresses.map(\.description) == [address])

        let vpc = lab.vpc, node = lab.node
        // The VPC router (standing for any VM: it holds the gateway on every ENI's link) and the pod reach each other.
        try await offPool {
            try vpc.exec(["ping", "-c1", "-W2", address])
            try pod.exec(["ping", "-c1", "-W2", "192.168.15.253"])
        }
        let check = try await offPool { try Self.plugin(lab, "CHECK", containerID: "p1", pod: pod, extra: ["prevResult": add.json!]) }
        #expect(check.status == 0, "\(check.stdout)")
        #expect(try await offPool { try Self.plugin(lab, "STATUS") }.status == 0)

        // The agent puts back a rule deleted by hand (it adopts the plugin's at its next pass).
        // Timed from the kernel's removal to its re-adding, off the cooperative pool.
        try await Task.sleep(for: .milliseconds(1500))
        let table = grant.eni.table
        let back = try await offPool {
            try KernelRepairClock(node, groups: [.ipv4Rule]).time({
                try node.exec(["ip", "rule", "del", "pref", "2048", "from", "\(address)/32", "lookup", "\(table)"])
            }, startsAt: { $0.isRule(from: "\(address)/32", removed: true) }, stopsAt: { $0.isRule(from: "\(address)/32", removed: false) })
        }
        #expect(back.map { $0 < .seconds(1) } == true, "rule back after \(String(describing: back))")
        #expect(try await offPool { try node.exec(["ip", "rule", "show"]).stdout.contains("from \(address) lookup \(table)") })
        print("plugin's rule put back by the agent in \(String(describing: back))")

        let del = try await offPool { try Self.plugin(lab, "DEL", containerID: "p1", pod: pod) }
        #expect(del.status == 0, "\(del.stdout)")
        guard case .failed(let error) = try await lab.request(.lookup(.init(containerID: "p1", ifName: "eth0"))) else {
            Issue.record("the agent still holds p1 after DEL"); return
        }
        #expect(error.code == .unknownContainer)
        #expect(try !node.exec(["ip", "rule", "show"]).stdout.contains(address))
        let gc = try await offPool {
            try Self.plugin(lab, "GC", extra: [NetworkConfig.validAttachmentsKey: .array([])])
        }
        #expect(gc.status == 0, "\(gc.stdout)")
    }

    @Test func aDualStackPodGetsBothFamiliesAndDelLeavesNoRule() async throws {
        let lab = try await CloudLab(type: "ecs.g7.4xlarge", ipv6Cidr: "2408:4000:10::/64")
        defer { lab.stop() }
        try await lab.startAgent(lab.config())
        let pod = try TestNamespace("cpod6")
        defer { pod.delete() }
        let add = try await offPool { try Self.plugin(lab, "ADD", containerID: "d1", pod: pod) }
        #expect(add.status == 0, "\(add.stdout) \(lab.log.suffix(2000))")
        let ips = add.json?["ips"]?.arrayValue?.compactMap { $0["address"]?.stringValue } ?? []
        #expect(ips.count == 2 && ips[1].hasSuffix("/128") && ips[1].hasPrefix("2408:4000:10:"), "\(ips)")
        let address6 = ips.last.map { String($0.prefix { $0 != "/" }) } ?? "-"
        let node = lab.node
        let (rules, podRoutes, table) = try await offPool {
            (try node.exec(["ip", "-6", "rule", "show"]).stdout, try pod.exec(["ip", "-6", "route", "show"]).stdout,
             try node.exec(["ip", "-6", "route", "show", "table", "1001"]).stdout)
        }
        #expect(rules.contains("from \(address6) lookup 1001") && rules.contains("to \(address6) lookup main"), "\(rules)")
        #expect(podRoutes.contains("default via fe80::1"), "\(podRoutes)")
        #expect(table.contains("default via 2408:4000:10::1"), "\(table)")
        let del = try await offPool { try Self.plugin(lab, "DEL", containerID: "d1", pod: pod) }
        #expect(del.status == 0, "\(del.stdout)")
        let after = try await offPool { try node.exec(["ip", "-6", "rule", "show"]).stdout + node.exec(["ip", "rule", "show"]).stdout }
        #expect(!after.contains(address6) && !after.contains("lookup 1001"), "\(after)")
    }

    @Test func atTheInstancesQuotaAddFailsWithCode11NamingItAndStatusIs50() async throws {
        // ecs.g6.large: 2 ENIs (1 secondary) of 6 addresses: 5 for pods.
        let lab = try await CloudLab(type: "ecs.g6.large")
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 0, maxIdle: 5, idleReclaimAfter: 60 }"))
        let pods = try (0..<6).map { _ in try TestNamespace("cpod") }
        for i in 0..<5 {
            let add = try await offPool { try Self.plugin(lab, "ADD", containerID: "q\(i)", pod: pods[i]) }
            #expect(add.status == 0, "\(add.stdout)")
        }
        let full = try await offPool { try Self.plugin(lab, "ADD", containerID: "q5", pod: pods[5]) }
        #expect(full.code == 11 && full.message.contains("eniPrivateIpAddressQuantity"), "\(full.stdout)")
        let status = try await offPool { try Self.plugin(lab, "STATUS") }
        #expect(status.code == 50 && status.message.contains("eniQuantity"), "\(status.stdout)")
    }

    /// The issue's cold-pool figure: ENIs attach after 2 s (emulator delay), the pool starts
    /// empty (minIdle 0), 20 pods ADD at once, each timed from the common start to its first
    /// answered ping to the vSwitch gateway through its ENI. Every pod must become usable; the
    /// percentiles are printed beside the issue's targets (p50 <= 3 s, p99 <= 8 s), not gated.
    @Test func coldPoolPodsBecomeUsableAndTheTimesArePrinted() async throws {
        let lab = try await CloudLab(delays: "{ attach: 2, detach: 0.1, metadata: 0.05 }")
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 0, maxIdle: 40, idleReclaimAfter: 60 }"))
        let pods = try (0..<20).map { _ in try TestNamespace("cold") }
        let before = try await lab.status()
        // All timed from one start (a scale-up). The runner starts ADDs a thread per core at a
        // time: with a thread per pod, the emulator in this process stops answering for 10 s
        // (CreateNetworkInterface unanswered), which would measure the harness, not the pool.
        let started = Date()
        let times = try await offPool {
            try Array(pods.indices).concurrentMap { i -> Result<Double, TestEnvironmentError> in
                let add = try Self.plugin(lab, "ADD", containerID: "cold\(i)", pod: pods[i])
                guard add.status == 0 else { return .failure(TestEnvironmentError("ADD cold\(i): \(add.stdout)")) }
                let usable = waitUntil(timeout: 10, interval: 0.02) {
                    (try? pods[i].exec(["ping", "-c1", "-W1", "192.168.15.253"]))?.succeeded == true
                }
                return usable ? .success(Date().timeIntervalSince(started)) : .failure(TestEnvironmentError("cold\(i) not usable: \(add.stdout)"))
            }
        }
        let failures = times.compactMap { if case .failure(let error) = $0 { error.description } else { nil } }
        #expect(failures.isEmpty, "\(failures) \(lab.log.suffix(1500))")
        let sorted = times.compactMap { try? $0.get() }.sorted()
        guard !sorted.isEmpty else { return }
        let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * 0.99).rounded()))]
        let state = try await lab.status()
        print("cold pool, attach 2 s, 20 pods at once (pool before: \(before.cloud.poolSize) addresses, \(before.cloud.enis.count) ENIs):"
              + " usable p50 \(p50) s, p99 \(p99) s (targets 3 s / 8 s); API calls \(state.cloud.apiCalls)")
    }
}

