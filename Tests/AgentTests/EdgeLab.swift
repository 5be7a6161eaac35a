import Foundation
import Lab
import TestSupport

/// Edge nodes on one L2 segment (a bridge in a switch namespace) with a BIRD gateway whose
/// configuration is `terway-edge plan render --for bird` of the plan the agents read
/// (`AgentFixture.plan`).
/// Each node is a `te-` namespace running `terway-edged`; pods are namespaces wired by
/// `terway-edge-cni` with `subnetFile`. A node of `remote` sits on another network behind
/// the gateway. Everything is stopped by PID and the namespaces are deleted at the end.
final class EdgeLab: @unchecked Sendable {
    final class Node: @unchecked Sendable {
        let name: String
        let namespace: TestNamespace
        let address4: String
        let address6: String
        let directory: String
        var agent: BackgroundProcess?
        var runs = 0
        var pods: [Pod] = []

        init(name: String, namespace: TestNamespace, address4: String, address6: String, directory: String) {
            self.name = name
            self.namespace = namespace
            self.address4 = address4
            self.address6 = address6
            self.directory = directory
        }

        /// Its config, subnet file and socket, laid out as `lab up` lays out a node's.
        var files: EdgeNodeFiles { EdgeNodeFiles(folder: directory) }
        var config: String { files.config }
        var socket: String { files.controlSocket }
        var subnetFile: String { files.subnetFile }
        func log(_ run: Int) -> String { directory + "/agent.log.\(run)" }
    }

    struct Pod {
        let namespace: TestNamespace
        let address4: String
        let address6: String
    }

    let directory: TemporaryDirectory
    let switchNamespace: TestNamespace
    let gateway: TestNamespace
    let agentBinary: String
    let cliBinary: String
    let pluginBinary: String
    var nodes: [Node] = []
    private var bird: BackgroundProcess?
    private var etcd: EtcdCluster?
    private var monitors: [BackgroundProcess] = []
    private var store: String

    /// `store`: the lease store URL every agent uses (nil: an embedded store in the lab's
    /// folder); `plan`: what the agents and the gateway read.
    init(store: String? = nil, plan: String = AgentFixture.plan) throws {
        agentBinary = try builtExecutable("terway-edged")
        cliBinary = try builtExecutable("terway-edge")
        pluginBinary = try builtExecutable("terway-edge-cni")
        directory = try TemporaryDirectory("te-agentlab")
        self.store = store ?? "file://\(directory.file("leases.db"))"
        switchNamespace = try TestNamespace("sw")
        gateway = try TestNamespace("gw")
        try directory.write("plan.yaml", plan)
        try switchNamespace.exec(["ip", "link", "add", "br0", "type", "bridge"])
        try switchNamespace.exec(["ip", "link", "set", "br0", "up"])
        // The switch's own address: where a lease store on the segment listens.
        try switchNamespace.exec(["ip", "addr", "add", "172.16.1.254/24", "dev", "br0"])
        try attach(gateway, port: "gw", interface: "lan0", addresses: ["172.16.1.1/24", "fd00:10::1/64"])
        try gateway.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"])
    }

    /// A veth from `namespace` to the bridge, with addresses.
    private func attach(_ namespace: TestNamespace, port: String, interface: String, addresses: [String]) throws {
        try run(["ip", "link", "add", interface, "netns", namespace.name, "type", "veth", "peer", "name", port, "netns", switchNamespace.name])
        try switchNamespace.exec(["ip", "link", "set", port, "master", "br0", "up"])
        for address in addresses {
            try namespace.exec(["ip", "addr", "add", address, "dev", interface] + (address.contains(":") ? ["nodad"] : []))
        }
        try namespace.exec(["ip", "link", "set", interface, "up"])
    }

    /// The lease store becomes a 3-member etcd cluster in the switch namespace (call before `addNode`).
    func useEtcd() throws {
        let cluster = try EtcdCluster(size: 3, namespace: switchNamespace, host: "172.16.1.254")
        etcd = cluster
        store = "etcd://\(cluster.storeAuthority)/te-agentlab"
    }

    /// `ip monitor route` in the node's namespace, logging to `name`; stopped at the end.
    func monitorRoutes(_ node: Node, _ name: String) throws -> String {
        let file = directory.file(name)
        monitors.append(try node.namespace.spawn(["ip", "-ts", "monitor", "route", "nexthop"], logFile: file))
        return file
    }

    /// Text of `curl http://127.0.0.1:9464PATH` inside the node, and the HTTP status.
    func metrics(_ node: Node, _ path: String) throws -> (status: Int, body: String) {
        let result = try node.namespace.exec(["curl", "-s", "-w", "\n%{http_code}", "http://127.0.0.1:9464\(path)"], check: false)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// The gateway's BIRD, configured by `plan render --for bird`.
    func startGateway() throws {
        let rendered = try run([cliBinary, "plan", "render", "--for", "bird", "--domain", "dc1", directory.file("plan.yaml")]).stdout
        try directory.write("gw.conf", rendered)
        bird = try gateway.spawn(["bird", "-f", "-c", directory.file("gw.conf"), "-s", directory.file("gw.sock")],
                                 logFile: directory.file("gw.log"))
        guard waitUntil(timeout: 10, { (try? birdc(["show", "status"]))?.contains("Daemon is up") == true }) else {
            throw TestEnvironmentError("BIRD did not come up: \(logs())")
        }
    }

    func birdc(_ arguments: [String]) throws -> String {
        try run(["birdc", "-s", directory.file("gw.sock")] + arguments, check: false).stdout
    }

    /// Pod subnets the gateway learned over BGP, both families (`birdc show route`: the
    /// kernel protocol imports nothing, the plan exports no VPC routes).
    func gatewayRoutes() throws -> Set<String> {
        Set(try birdc(["show", "route"]).split(separator: "\n").compactMap { line in
            let first = line.split(separator: " ").first.map(String.init) ?? ""
            return first.hasPrefix("10.0.") || first.hasPrefix("fd00:a:") ? first : nil
        })
    }

    /// The next hops of the gateway's paths to exactly `prefix` (one per node announcing it).
    func gatewayNextHops(_ prefix: String) throws -> Set<String> {
        Set(try birdc(["show", "route", prefix]).split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let via = words.firstIndex(of: "via"), via + 1 < words.count else { return nil }
            return words[via + 1]
        })
    }

    /// Adds node `index` (1-based): on the segment (172.16.1.1N, fd00:10::1N), or with
    /// `remote` on its own network behind the gateway (172.17.0.N, fd00:11::N).
    @discardableResult
    func addNode(_ index: Int, remote: Bool = false) throws -> Node {
        let namespace = try TestNamespace("n\(index)")
        let folder = directory.file("n\(index)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let node: Node
        if remote {
            node = Node(name: "edge-\(index)", namespace: namespace, address4: "172.17.0.\(index)", address6: "fd00:11::\(index)", directory: folder)
            try run(["ip", "link", "add", "wan0", "netns", namespace.name, "type", "veth", "peer", "name", "wan\(index)", "netns", gateway.name])
            try gateway.exec(["ip", "addr", "add", "172.17.0.1/24", "dev", "wan\(index)"])
            try gateway.exec(["ip", "addr", "add", "fd00:11::1/64", "dev", "wan\(index)", "nodad"])
            try gateway.exec(["ip", "link", "set", "wan\(index)", "up"])
            try namespace.exec(["ip", "addr", "add", "172.17.0.\(index)/24", "dev", "wan0"])
            try namespace.exec(["ip", "addr", "add", "fd00:11::\(index)/64", "dev", "wan0", "nodad"])
            try namespace.exec(["ip", "link", "set", "wan0", "up"])
            try namespace.exec(["ip", "route", "add", "default", "via", "172.17.0.1"])
            try namespace.exec(["ip", "-6", "route", "add", "default", "via", "fd00:11::1"])
        } else {
            node = Node(name: "edge-\(index)", namespace: namespace, address4: "172.16.1.1\(index)", address6: "fd00:10::1\(index)", directory: folder)
            try attach(namespace, port: "p\(index)", interface: "lan0", addresses: ["\(node.address4)/24", "\(node.address6)/64"])
            try namespace.exec(["ip", "route", "add", "default", "via", "172.16.1.1"])
            try namespace.exec(["ip", "-6", "route", "add", "default", "via", "fd00:10::1"])
        }
        try directory.write("n\(index)/agent.yaml", node.files.agentConfig(
            plan: directory.file("plan.yaml"), node: node.name, address: node.address4, store: store))
        nodes.append(node)
        return node
    }

    /// The node's lease subnets, from its status.
    func subnets(_ node: Node) throws -> [String] {
        (try status(node)["lease"] as? [String: Any])?["subnets"] as? [String] ?? []
    }

    /// Starts (or restarts) the node's agent; each run logs to its own file.
    func startAgent(_ node: Node) throws {
        node.runs += 1
        node.agent = try node.namespace.spawn([agentBinary, "--config", node.config], logFile: node.log(node.runs))
        guard waitUntil(timeout: 15, { FileManager.default.fileExists(atPath: node.subnetFile) && (try? status(node)) != nil }) else {
            throw TestEnvironmentError("terway-edged on \(node.name) did not come up: \(agentLog(node))")
        }
    }

    /// `terway-edge status --output json` of the node.
    func status(_ node: Node) throws -> [String: Any] {
        let text = try run([cliBinary, "status", "--socket", node.socket, "--output", "json"]).stdout
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    func agentLog(_ node: Node) -> String {
        (1...max(node.runs, 1)).compactMap { try? String(contentsOfFile: node.log($0), encoding: .utf8) }.joined()
    }

    /// A pod on the node through the plugin, as a runtime adds it.
    @discardableResult
    func addPod(_ node: Node, _ name: String) throws -> Pod {
        let namespace = try TestNamespace("p\(name)")
        let ips = try node.files.addPod(plugin: pluginBinary, nodeNamespace: node.namespace.name,
                                        podNamespace: namespace.name, containerID: "pod-\(name)")
        guard let v4 = ips.first(where: { !$0.contains(":") }), let v6 = ips.first(where: { $0.contains(":") }) else {
            throw TestEnvironmentError("the plugin gave pod \(name) no dual-stack addresses: \(ips)")
        }
        let pod = Pod(namespace: namespace, address4: v4, address6: v6)
        node.pods.append(pod)
        return pod
    }

    /// Whether `from` reaches `to` with one ping.
    func ping(_ from: Pod, _ address: String, timeout: Int = 2) throws -> Bool {
        try from.namespace.exec(["ping", "-n", "-q", "-c", "1", "-W", "\(timeout)", address], check: false).succeeded
    }

    /// Routes of the node to `prefix` (`ip route show PREFIX`).
    func route(_ node: Node, _ prefix: String) throws -> String {
        try node.namespace.exec(["ip", prefix.contains(":") ? "-6" : "-4", "route", "show", prefix]).stdout
    }

    /// Both families' routes of the gateway and `nodes`, for failure messages.
    func routeTables(_ nodes: [Node]) -> String {
        ([("gateway", gateway)] + nodes.map { ($0.name, $0.namespace) }).map { name, namespace in
            "--- \(name) ---\n" + ["-4", "-6"].map { (try? namespace.exec(["ip", $0, "route"]).stdout) ?? "" }.joined()
        }.joined(separator: "\n")
    }

    func logs() -> String {
        var text = "--- gateway ---\n" + ((try? String(contentsOfFile: directory.file("gw.log"), encoding: .utf8)) ?? "")
        for node in nodes { text += "\n--- \(node.name) ---\n" + agentLog(node).split(separator: "\n").suffix(40).joined(separator: "\n") }
        return text
    }

    /// Agents and BIRD stop by PID before their namespaces go.
    deinit {
        for node in nodes { node.agent?.terminate() }
        for monitor in monitors { monitor.terminate() }
        bird?.terminate()
        etcd?.stopAll()
        for node in nodes {
            for pod in node.pods { pod.namespace.delete() }
            node.namespace.delete()
        }
        gateway.delete()
        switchNamespace.delete()
    }
}
