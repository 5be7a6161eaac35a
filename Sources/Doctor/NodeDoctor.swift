import Agent
import Foundation

/// `terway-edge doctor`: reads the node (in the calling process's network namespace) and
/// says what stops pods from getting a network, each problem with its fix. It only reads:
/// sysctls, routes, files, the agent's status; it changes nothing.
public struct NodeDoctor: Sendable {
    public struct Inputs: Sendable {
        /// The agent's configuration: the plan's pod ranges, the subnet file, the socket.
        public var config = "/etc/terway-edge/agent.yaml"
        public var cniBinDirectory = "/opt/cni/bin"
        public var cniConfDirectory = "/etc/cni/net.d"
        /// The plugin this release ships; the installed one must be byte-equal (nil: not compared).
        public var shippedPlugin: String?
        public var nft = "nft"
        /// Overrides of the config's (or the default) subnet file, control socket and (role
        /// cloud) address socket.
        public var subnetFile: String?
        public var controlSocket: String?
        public var addressSocket: String?

        public init() {}
    }

    public let inputs: Inputs

    public init(_ inputs: Inputs) { self.inputs = inputs }

    /// Every check, in the order a node comes up: kernel, sysctls, config, CNI files,
    /// subnet file, agent, BGP, routes; on a cloud node (the config's `role: cloud`) the
    /// cloud role's instead (`runCloud`).
    public func run() -> [DoctorFinding] {
        // The programs doctor runs (the plugin, nft) may exit before reading their input.
        signal(SIGPIPE, SIG_IGN)
        let text = try? String(contentsOfFile: inputs.config, encoding: .utf8)
        if let text, (try? CloudAgentConfig.role(ofYAML: text)) == "cloud" { return runCloud(configText: text) }
        var findings = [checkNexthopObjects()]
        let loaded: AgentConfig?
        do {
            loaded = try AgentConfig.load(contentsOf: inputs.config)
            findings.append(.ok("config", "\(inputs.config): node \(loaded!.node), domain \(loaded!.domain.name)"))
        } catch {
            loaded = nil
            findings.append(.problem("config", "\(error)",
                                     fix: "mount the agent's ConfigMap (agent.yaml and plan.yaml) at \((inputs.config as NSString).deletingLastPathComponent), or pass --config; `terway-edged --check-config` names the field"))
        }
        findings.append(checkNftables(masquerade: loaded?.masquerade ?? false))
        let subnetFile = inputs.subnetFile ?? loaded?.subnetFile ?? AgentConfig.defaultSubnetFile
        let subnets = readSubnetFile(subnetFile, config: loaded)
        findings += checkForwarding(ipv6: subnets.prefixes.contains { $0.family == .v6 }
                                        || (loaded?.pools.contains { $0.block.family == .v6 } ?? false))
        // A file refused but for its role still says the conflist's mode (nil: not compared).
        findings += checkCNIFiles(role: loaded != nil ? "edge" : text.flatMap { try? CloudAgentConfig.role(ofYAML: $0) })
        findings.append(subnets.finding)
        let socket = inputs.controlSocket ?? loaded?.controlSocket ?? AgentConfig.defaultControlSocket
        findings += checkAgent(socket: socket, subnetFile: subnets.prefixes)
        findings.append(checkRouteOverlaps(config: loaded, nodeSubnets: subnets.prefixes))
        return findings
    }
}
