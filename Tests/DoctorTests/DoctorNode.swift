import Agent
import BGP
import Foundation
import Logging
import ServiceLifecycle
import TestSupport

/// A healthy edge node for `terway-edge doctor`: a `te-` namespace forwarding IPv4, the CNI
/// folders as `terway-edge install-cni` leaves them (with the reference portmap), a subnet
/// file, the agent's config over the plan fixture, and the agent's control socket (the real
/// `ControlService`) answering a status the test chooses. Each test plants one problem.
final class DoctorNode: @unchecked Sendable {
    let namespace: TestNamespace
    let directory: TemporaryDirectory
    private let lock = NSLock()
    private var answer: AgentStatus

    static let healthyStatus = AgentStatus(
        node: "edge-1", role: "edge", domain: "dc1",
        lease: .init(subnets: ["10.0.3.0/24"], expiresAt: "2026-12-01T01:40:12.345Z"),
        routes: .init(expected: 2, installed: 2, missing: [], viaGateway: []),
        peers: [PeerStatus(address: "172.16.1.1", as: 65000, state: "Established", uptimeSeconds: 60, prefixesReceived: 1,
                           prefixesAccepted: 1, prefixesAdvertised: 1, lastError: nil)],
        masquerade: .init(installed: false, rules: []), problems: [])

    init() throws {
        namespace = try TestNamespace("doctor")
        directory = try TemporaryDirectory("te-doctor")
        answer = Self.healthyStatus
        try namespace.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        for folder in ["bin", "net.d"] { try FileManager.default.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true) }
        try run([try builtExecutable("terway-edge"), "install-cni", "--plugin", try builtExecutable("terway-edge-cni"),
                 "--bin-dir", directory.file("bin"), "--conf-dir", directory.file("net.d"), "--subnet-file", directory.file("subnet.json")])
        try FileManager.default.copyItem(atPath: "/usr/lib/cni/portmap", toPath: directory.file("bin/portmap"))
        try directory.write("subnet.json", #"{"subnets":["10.0.3.0/24"],"mtu":1450}"# + "\n")
        try directory.write("plan.yaml", PlanFixture.yaml())
        try directory.write("agent.yaml", """
            plan: plan.yaml
            node: edge-1
            nodeAddress: 172.16.1.20
            subnetFile: \(directory.file("subnet.json"))
            controlSocket: \(directory.file("agent.sock"))
            masquerade: false

            """)
    }

    var status: AgentStatus {
        get { lock.withLock { answer } }
        set { lock.withLock { answer = newValue } }
    }

    /// `terway-edge doctor --output json` inside the namespace: the exit status and the findings.
    /// Waited for off the cooperative pool: the control socket's status runs on it, and two
    /// tests blocking its two threads (2 cores) on doctor would leave doctor's question to
    /// the socket unanswered until its 5 s timeout.
    func doctor(_ extra: [String] = []) async throws -> (status: Int32, findings: [DoctorFindingJSON]) {
        try await offPool { [self] in
            let result = try namespace.exec([try builtExecutable("terway-edge"), "doctor", "--config", directory.file("agent.yaml"),
                                             "--cni-bin-dir", directory.file("bin"), "--cni-conf-dir", directory.file("net.d"),
                                             "--shipped-plugin", try builtExecutable("terway-edge-cni"), "--subnet-file", directory.file("subnet.json"),
                                             "--socket", directory.file("agent.sock"), "--output", "json"] + extra,
                                            check: false)
            let findings = try JSONDecoder().decode([DoctorFindingJSON].self, from: Data(result.stdout.utf8))
            return (result.status, findings)
        }
    }

    /// Runs `body` while the control socket answers `status`.
    func withAgentSocket<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let logger = Logger(label: "doctor-test")
        // Weakly: the server's handlers may outlive the group briefly, and must not keep the
        // node (its namespace and folder go when it does).
        let service = ControlService(path: directory.file("agent.sock"), logger: logger, commands: .init(
            status: { [weak self] in self?.status ?? DoctorNode.healthyStatus }, leave: {}))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [service], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            guard await waitForSocket() else {
                await group.triggerGracefulShutdown()
                throw TestEnvironmentError("the control socket did not appear")
            }
            let result: T
            do { result = try await body() } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }

    /// The bound only ends a hang: binding waits for a loaded machine.
    private func waitForSocket() async -> Bool {
        let clock = ContinuousClock(), start = clock.now
        while clock.now - start < .seconds(60) {
            if FileManager.default.fileExists(atPath: directory.file("agent.sock")) { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return false
    }
}

/// The JSON `doctor --output json` prints: an array of these.
struct DoctorFindingJSON: Decodable, Equatable {
    var check: String
    var ok: Bool
    var detail: String
    var fix: String?
}
