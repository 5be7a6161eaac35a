import Agent
import Command
import Foundation

/// One edge node's files and the two things done to it from outside: its `terway-edged`
/// configuration, and a pod wired by `terway-edge-cni` from the subnet file the agent
/// writes. Shared by `lab up` and the agent's tests (one definition of how a node is set up).
public struct EdgeNodeFiles: Sendable {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    public var config: String { "\(folder)/agent.yaml" }
    public var subnetFile: String { "\(folder)/subnet.json" }
    public var controlSocket: String { "\(folder)/agent.sock" }
    public var ipamFolder: String { "\(folder)/ipam" }

    /// `agent.yaml`: the plan both the agent and the gateway read, the node, the lease store,
    /// quick BGP timers (a lab converges in seconds), and `extra` lines as they are.
    public func agentConfig(plan: String, node: String, address: String, store: String, extra: String = "") -> String {
        """
        plan: \(plan)
        node: \(node)
        nodeAddress: \(address)
        store: \(store)
        subnetFile: \(subnetFile)
        controlSocket: \(controlSocket)
        metricsAddress: 127.0.0.1:9464
        bgp:
          holdTime: 9
          connectRetryTime: 1
          restartTime: 10
        \(extra)
        """
    }

    /// The network configuration a runtime hands the plugin on this node.
    public var cniConfig: String {
        """
        {"cniVersion": "1.1.0", "name": "edge", "type": "terway-edge-cni", "mode": "edge", "bridge": "cni0",
         "subnetFile": "\(subnetFile)", "dataDir": "\(ipamFolder)"}
        """
    }

    public func addPod(plugin: String, nodeNamespace: String, podNamespace: String, containerID: String) throws -> [String] {
        try PodWiring.add(plugin: plugin, config: cniConfig, nodeNamespace: nodeNamespace, podNamespace: podNamespace, containerID: containerID)
    }
}

/// What a container runtime does for a pod, as the lab and the tests do it.
public enum PodWiring {
    /// CNI ADD of a pod (its namespace exists) run inside the node's namespace, as the
    /// runtime runs it; the pod's addresses without prefix length, IPv4 first.
    public static func add(plugin: String, config: String, nodeNamespace: String, podNamespace: String, containerID: String) throws -> [String] {
        let environment = ["CNI_COMMAND": "ADD", "CNI_CONTAINERID": containerID, "CNI_NETNS": "/var/run/netns/\(podNamespace)",
                           "CNI_IFNAME": "eth0", "CNI_PATH": (plugin as NSString).deletingLastPathComponent,
                           "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let result = try run(["ip", "netns", "exec", nodeNamespace, plugin], stdin: config, environment: environment)
        let answer = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let addresses = (answer?["ips"] as? [[String: Any]] ?? []).compactMap { ($0["address"] as? String)?.split(separator: "/").first.map(String.init) }
        guard !addresses.isEmpty else { throw LabError("the plugin gave pod \(podNamespace) no address: \(result.stdout)") }
        return addresses.sorted { !$0.contains(":") && $1.contains(":") }
    }
}

extension AgentStatus {
    /// What `terway-edge status --output json` printed, nil when it is not a status.
    static func decode(_ json: String) -> AgentStatus? {
        try? JSONDecoder().decode(AgentStatus.self, from: Data(json.utf8))
    }

    /// Every gateway session established and no host route missing.
    var isConverged: Bool {
        !peers.isEmpty && peers.allSatisfy { $0.state == "Established" } && routes.missing.isEmpty
    }
}
