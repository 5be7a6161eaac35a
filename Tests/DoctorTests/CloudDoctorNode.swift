import CNIProtocol
import Foundation
import TestSupport

/// A healthy cloud node for `terway-edge doctor`: `CloudLab`'s instance namespace forwarding
/// IPv4, with the cloud agent (`terway-edged` role cloud against the emulator), the CNI
/// folders as `install-cni --mode cloud` leaves them, and pods whose address the agent gave
/// and whose policy rules are in place as the plugin installs them. Each test plants one problem.
final class CloudDoctorNode: @unchecked Sendable {
    let lab: CloudLab
    var namespace: TestNamespace { lab.node }
    var folder: TemporaryDirectory { lab.folder }

    /// `type` and `pool` as `CloudLab` takes them; returns once `idle` addresses are idle.
    /// `deny`: actions the agent's RAM policy lacks; `ipv6Cidr`: the vSwitch's, for dual-stack
    /// ENIs (IPv6 forwarding on too).
    init(type: String = "ecs.g6.4xlarge", ipv6Cidr: String? = nil, pool: String = "{ minIdle: 2, maxIdle: 6, idleReclaimAfter: 300 }",
         idle: Int = 2, deny: [String] = []) async throws {
        lab = try await CloudLab(type: type, ipv6Cidr: ipv6Cidr, deny: deny)
        try lab.node.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"] + (ipv6Cidr == nil ? [] : ["net.ipv6.conf.all.forwarding=1"]))
        for name in ["bin", "net.d"] { try FileManager.default.createDirectory(atPath: lab.folder.file(name), withIntermediateDirectories: true) }
        try installCNI(socket: lab.addressSocket)
        try FileManager.default.copyItem(atPath: "/usr/lib/cni/portmap", toPath: lab.folder.file("bin/portmap"))
        try await lab.startAgent(lab.config(pool: pool))
        try await waitForIdle(idle)
    }

    /// `terway-edge install-cni --mode cloud` into the node's CNI folders.
    func installCNI(socket: String, mode: String = "cloud") throws {
        try run([try builtExecutable("terway-edge"), "install-cni", "--plugin", try builtExecutable("terway-edge-cni"), "--mode", mode]
                + (mode == "cloud" ? ["--socket", socket] : [])
                + ["--bin-dir", lab.folder.file("bin"), "--conf-dir", lab.folder.file("net.d")])
    }

    /// A pod: its address from the agent, its two rules as the plugin installs them (`CloudPodRouting`).
    @discardableResult
    func addPod(_ id: String, rules: Bool = true) async throws -> PodAddressGrant {
        guard case .granted(let grant) = try await lab.allocate(id) else { throw TestEnvironmentError("no address for \(id)") }
        if rules {
            for rule in CloudPodRouting.rules(for: grant) {
                let selector = rule.destination.map { ["to", "\($0)"] } ?? ["from", "\(rule.source!)"]
                try namespace.exec(["ip", "rule", "add", "priority", "\(rule.priority)"] + selector + ["lookup", "\(rule.table)"])
            }
        }
        return grant
    }

    /// Waits until the pool holds at least `idle` idle addresses (it refills after a pod) and
    /// every ENI's table has its default route (the agent installs it once the link appears).
    func waitForIdle(_ idle: Int) async throws {
        let clock = ContinuousClock(), start = clock.now
        while try await !ready(idle) {
            guard clock.now - start < .seconds(20) else { throw TestEnvironmentError("the pool did not refill: \(lab.log.suffix(2000))") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func ready(_ idle: Int) async throws -> Bool {
        guard let cloud = try? await lab.status().cloud, cloud.idle >= idle else { return false }
        let tables = cloud.enis.compactMap { line in
            line.split(separator: " ").drop { $0 != "table" }.dropFirst().first.map(String.init)
        }
        return try tables.allSatisfy { try namespace.exec(["ip", "route", "show", "table", $0]).stdout.contains("default") }
    }

    /// `terway-edge doctor --output json` inside the node namespace: the exit status and the findings.
    func doctor(_ extra: [String] = []) async throws -> (status: Int32, findings: [DoctorFindingJSON]) {
        try await offPool { [self] in
            let result = try namespace.exec([try builtExecutable("terway-edge"), "doctor", "--config", folder.file("agent.yaml"),
                                             "--cni-bin-dir", folder.file("bin"), "--cni-conf-dir", folder.file("net.d"),
                                             "--shipped-plugin", try builtExecutable("terway-edge-cni"), "--output", "json"] + extra,
                                            check: false)
            return (result.status, try JSONDecoder().decode([DoctorFindingJSON].self, from: Data(result.stdout.utf8)))
        }
    }

    func stop() async {
        await lab.stopAgent()
        lab.stop()
    }
}
