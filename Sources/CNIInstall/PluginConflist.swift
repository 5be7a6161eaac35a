import JSON

/// The network configuration the init container writes to the runtime's config folder: our
/// plugin in the node's mode, then the reference `portmap` for `hostPort`s, as every
/// Kubernetes CNI chains it. One file name for both modes: a node runs one role.
public struct PluginConflist: Hashable, Sendable {
    public static let fileName = "10-terway-edge.conflist"
    public static let pluginName = "terway-edge-cni"

    /// The plugin's mode and the keys only that mode accepts (the plugin rejects the other's).
    public enum Mode: Hashable, Sendable {
        /// Addresses from the node's subnets (the agent's subnet file) on a bridge.
        /// `dataDirectory` nil: the plugin's default.
        case edge(subnetFile: String, bridge: String = "cni0", dataDirectory: String? = nil)
        /// Addresses from the cloud agent over its address socket; `socketTimeout` in seconds,
        /// nil: the plugin's default.
        case cloud(socket: String, socketTimeout: Int? = nil)

        public var name: String {
            switch self {
            case .edge: "edge"
            case .cloud: "cloud"
            }
        }
    }

    public var name = "terway-edge"
    public var mode: Mode
    /// Nil: edge, the subnet file's `mtu`; cloud, the ENI's; else the plugin's default.
    public var mtu: Int?

    public init(mode: Mode, mtu: Int? = nil) {
        self.mode = mode
        self.mtu = mtu
    }

    public var json: JSONValue {
        var plugin = JSONObject()
        plugin["type"] = .string(Self.pluginName)
        plugin["mode"] = .string(mode.name)
        switch mode {
        case let .edge(subnetFile, bridge, dataDirectory):
            plugin["subnetFile"] = .string(subnetFile)
            plugin["bridge"] = .string(bridge)
            plugin["dataDir"] = dataDirectory.map { .string($0) }
        case let .cloud(socket, socketTimeout):
            plugin["socket"] = .string(socket)
            plugin["socketTimeout"] = socketTimeout.map { .integer(Int64($0)) }
        }
        plugin["mtu"] = mtu.map { .integer(Int64($0)) }
        let portmap: JSONValue = ["type": "portmap", "capabilities": ["portMappings": true], "snat": true]
        return ["cniVersion": "1.0.0", "name": .string(name), "plugins": [.object(plugin), portmap]]
    }

    /// The file's bytes: indented JSON and a final newline.
    public var bytes: [UInt8] { Array((json.serialized(indent: 2) + "\n").utf8) }
}
