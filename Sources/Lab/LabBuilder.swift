import Agent
import Command
import Foundation
import Plan

/// `lab up`: builds the topology stage by stage, recording every namespace and process in
/// the state file before it exists, and returns once every agent has its lease and every
/// BGP session is established. Cloud nodes are their own stage (`LabBuilder+Cloud.swift`).
public final class LabBuilder {
    let topology: LabTopology
    let binaries: LabBinaries
    let directory: String
    let planPath: String
    var state: LabState
    private let say: (String) -> Void
    private var clock = Date()

    public init(planPath: String, plan: Plan, size: LabSize, lab: String, binaries: LabBinaries, say: @escaping (String) -> Void) throws {
        self.planPath = planPath.hasPrefix("/") ? planPath : FileManager.default.currentDirectoryPath + "/" + planPath
        topology = try LabTopology(plan: plan, size: size, lab: lab)
        self.binaries = binaries
        directory = LabState.directory(lab: lab)
        state = LabState(lab: lab, plan: self.planPath, size: size)
        self.say = say
    }

    public func up() throws -> LabState {
        try preflight()
        try stage("network") { try buildNetwork() }
        try stage("cloud") { try startCloud() }
        try stage("gateways") { try startGateways() }
        try stage("edge nodes") { try startEdgeNodes() }
        try stage("cloud nodes") { try startCloudNodes() }
        try stage("pods") { try addPods() }
        try stage("sessions") { try waitForSessions() }
        state.ready = true
        try state.save()
        return state
    }

    private func stage(_ name: String, _ body: () throws -> Void) throws {
        let start = Date()
        try body()
        let seconds = Date().timeIntervalSince(start)
        state.stages.append(LabState.Stage(name: name, seconds: (seconds * 100).rounded() / 100))
        try state.save()
        say("  " + name.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "%6.2f s", seconds))
    }

    private func preflight() throws {
        guard geteuid() == 0 else { throw LabError("the lab builds network namespaces and needs root") }
        for program in [binaries.cli, binaries.agent, binaries.plugin] where !FileManager.default.isExecutableFile(atPath: program) {
            throw LabError("\(program) is not built; run `swift build` first")
        }
        for program in ["ip", "bird", "birdc", "ping", "nft"] { _ = try resolveExecutable(program) }
        let prefix = LabTopology.prefix(lab: topology.lab)
        let existing = try LabTeardown.namespaces(prefix: prefix)
        guard existing.isEmpty, !FileManager.default.fileExists(atPath: LabState.file(lab: topology.lab)) else {
            throw LabError("lab \(topology.lab) is already up (\(existing.count) namespaces \(prefix)*); run `terway-edge lab down` first")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try state.save()
    }

    // MARK: - Network

    private func buildNetwork() throws {
        state.namespaces = topology.namespaces
        state.edgeNodes = topology.edgeNodes
        state.instances = topology.instances
        try state.save()
        try run(["ip", "-batch", "-"], stdin: topology.namespaces.map { "netns add \($0.name)\n" }.joined())
        try parallel(topology.namespaces.map(\.name)) { namespace in
            try run(["ip", "netns", "exec", namespace, "sysctl", "-qw"] + self.topology.sysctls(namespace))
        }
        for phase in LabTopology.Phase.allCases {
            try parallel(topology.batches(phase)) { batch in
                try run(["ip", "-n", batch.namespace, "-batch", "-"], stdin: batch.lines.joined(separator: "\n") + "\n")
            }
        }
    }

    // MARK: - Edge gateways

    private func startGateways() throws {
        for gateway in topology.gateways {
            let policy = try GatewayPolicy(plan: topology.plan, domain: gateway.domain)
            let config = "\(directory)/bird-\(gateway.domain).conf", socket = "\(directory)/bird-\(gateway.domain).ctl"
            try BIRDConfig.render(policy).write(toFile: config, atomically: true, encoding: .utf8)
            try spawn(["bird", "-f", "-c", config, "-s", socket], in: gateway.namespace, what: "BIRD, edge gateway of \(gateway.domain)",
                      log: "\(directory)/bird-\(gateway.domain).log")
            state.gateways.append(LabState.Gateway(namespace: gateway.namespace, domain: gateway.domain, addresses: gateway.addresses, socket: socket))
        }
        try state.save()
        for gateway in state.gateways {
            guard waitUntil(timeout: 10, interval: 0.05, {
                (try? run(["birdc", "-s", gateway.socket, "show", "status"], check: false))?.stdout.contains("Daemon is up") == true
            }) else { throw LabError("BIRD of \(gateway.domain) did not come up: \(tail("\(directory)/bird-\(gateway.domain).log"))") }
        }
    }

    // MARK: - Edge nodes and their pods

    func nodeFolder(_ name: String) -> String { "\(directory)/\(name)" }

    private func startEdgeNodes() throws {
        for node in topology.edgeNodes {
            let folder = nodeFolder(node.name)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try EdgeNodeFiles(folder: folder).agentConfig(plan: planPath, node: node.name, address: node.addresses[0],
                                                          store: "file://\(directory)/leases.db")
                .write(toFile: "\(folder)/agent.yaml", atomically: true, encoding: .utf8)
            try spawn([binaries.agent, "--config", "\(folder)/agent.yaml"], in: node.namespace,
                      what: "terway-edged (edge) on \(node.name)", log: "\(folder)/agent.log")
        }
        try state.save()
        for node in topology.edgeNodes {
            let files = EdgeNodeFiles(folder: nodeFolder(node.name))
            guard waitUntil(timeout: 20, interval: 0.05, { FileManager.default.fileExists(atPath: files.subnetFile) }) else {
                throw LabError("terway-edged on \(node.name) wrote no subnet file: \(tail("\(files.folder)/agent.log"))")
            }
        }
    }

    /// K pods on every node: edge pods from the node's subnet, cloud pods from its ENIs.
    private func addPods() throws {
        var pending: [LabState.Pod] = []
        let count = topology.size.podsPerNode
        for (index, node) in topology.edgeNodes.enumerated() where count > 0 {
            for pod in 1...count {
                pending.append(LabState.Pod(name: "\(node.name)/pod-\(pod)", namespace: "te-\(topology.lab)-en\(index + 1)p\(pod)",
                                            role: .edgePod, node: node.name, nodeNamespace: node.namespace, addresses: []))
            }
        }
        for instance in topology.instances where instance.isCloudNode && count > 0 {
            for pod in 1...count {
                pending.append(LabState.Pod(name: "\(instance.node!)/pod-\(pod)", namespace: "\(instance.namespace)p\(pod)",
                                            role: .cloudPod, node: instance.node!, nodeNamespace: instance.namespace, addresses: []))
            }
        }
        state.namespaces += pending.map { LabNamespace(name: $0.namespace, role: $0.role, label: $0.name) }
        try state.save()
        try run(["ip", "-batch", "-"], stdin: pending.map { "netns add \($0.namespace)\n" }.joined())
        // Pods of one node one at a time (as a kubelet does), nodes in parallel.
        let byNode = Dictionary(grouping: pending.indices, by: { pending[$0].nodeNamespace })
        let results = try parallel(Array(byNode.values)) { indices in
            try indices.map { index -> (Int, [String]) in
                let pod = pending[index], folder = self.nodeFolder(pod.node)
                let addresses = pod.role == .edgePod
                    ? try EdgeNodeFiles(folder: folder).addPod(plugin: self.binaries.plugin, nodeNamespace: pod.nodeNamespace,
                                                              podNamespace: pod.namespace, containerID: pod.namespace)
                    : try CloudNodeFiles(folder: folder).addPod(plugin: self.binaries.plugin, nodeNamespace: pod.nodeNamespace,
                                                               podNamespace: pod.namespace, containerID: pod.namespace)
                return (index, addresses)
            }
        }
        var wired = pending
        for (index, addresses) in results.flatMap({ $0 }) { wired[index].addresses = addresses }
        state.pods += wired
        try state.save()
    }

    /// Every agent reports its gateway sessions established and its host routes complete.
    private func waitForSessions() throws {
        let nodes = topology.edgeNodes
        try parallel(nodes) { node in
            let socket = EdgeNodeFiles(folder: self.nodeFolder(node.name)).controlSocket
            var last = ""
            let ok = waitUntil(timeout: 60, interval: 0.2) {
                guard let status = try? run([self.binaries.cli, "status", "--socket", socket, "--output", "json"], check: false) else { return false }
                last = status.stdout
                return AgentStatus.decode(status.stdout)?.isConverged == true
            }
            if !ok { throw LabError("\(node.name): sessions or routes not up within 60 s: \(last)\n\(tail("\(self.nodeFolder(node.name))/agent.log"))") }
        }
    }

    // MARK: - Processes

    /// Starts a daemon inside `namespace` and records it before anything waits on it.
    @discardableResult
    func spawn(_ argv: [String], in namespace: String, what: String, log: String, environment: [String: String]? = nil) throws -> Int32 {
        let pid = try DetachedProcess.spawn(["ip", "netns", "exec", namespace] + argv, log: log, environment: environment)
        state.processes.append(LabState.Process(pid: pid, startTime: DetachedProcess.startTime(pid) ?? "", what: what,
                                                namespace: namespace, log: log))
        try state.save()
        return pid
    }
}

/// The last lines of a log, for an error message.
func tail(_ path: String, lines: Int = 15) -> String {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "(no log at \(path))"
    return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
}

/// Runs `body` over `items` on up to 8 threads of its own (not the dispatch pool, whose
/// two workers the blocking commands would hold); the first error is thrown after all ran.
@discardableResult
func parallel<T, R>(_ items: [T], _ body: @escaping (T) throws -> R) throws -> [R] {
    nonisolated(unsafe) var results = [Result<R, Error>?](repeating: nil, count: items.count)
    // Each thread reads its own item and writes its own slot; the join orders it all.
    nonisolated(unsafe) let body = body, items = items
    nonisolated(unsafe) var next = 0
    let lock = NSLock(), done = DispatchGroup()
    for _ in 0..<min(8, items.count) {
        done.enter()
        Thread {
            while true {
                lock.lock()
                let index = next
                next += 1
                lock.unlock()
                guard index < items.count else { break }
                let result = Result { try body(items[index]) }
                lock.lock()
                results[index] = result
                lock.unlock()
            }
            done.leave()
        }.start()
    }
    done.wait()
    return try results.map { try $0!.get() }
}
