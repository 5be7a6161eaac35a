import Foundation

/// One cloud node's files: its `terway-edged` role cloud configuration (the emulator's API
/// and metadata at 100.100.100.200, credentials from the instance's RAM role through
/// metadata, as on ECS) and the plugin's `mode: cloud` configuration.
public struct CloudNodeFiles: Sendable {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    public var config: String { "\(folder)/agent.yaml" }
    public var controlSocket: String { "\(folder)/agent.sock" }
    public var addressSocket: String { "\(folder)/ip.sock" }
    public var ledger: String { "\(folder)/ledger" }

    public func agentConfig(node: String, vSwitch: String, securityGroup: String, warmPods: Int) -> String {
        """
        role: cloud
        node: \(node)
        controlSocket: \(controlSocket)
        metricsAddress: 127.0.0.1:9464
        addressSocket: \(addressSocket)
        ledger: \(ledger)
        cloud:
          endpoint: http://\(LabTopology.cloudAddress):\(LabTopology.apiPort)
          metadataEndpoint: http://\(LabTopology.cloudAddress):80
          credentials: { ramRole: terway-edge }
          signature: v3
          vSwitches: [\(vSwitch)]
          securityGroups: [\(securityGroup)]
          pool: { minIdle: \(warmPods), maxIdle: \(warmPods + 2) }

        """
    }

    public var cniConfig: String {
        """
        {"cniVersion": "1.1.0", "name": "vpc", "type": "terway-edge-cni", "mode": "cloud", "socket": "\(addressSocket)"}
        """
    }

    public func addPod(plugin: String, nodeNamespace: String, podNamespace: String, containerID: String) throws -> [String] {
        try PodWiring.add(plugin: plugin, config: cniConfig, nodeNamespace: nodeNamespace, podNamespace: podNamespace, containerID: containerID)
    }
}
