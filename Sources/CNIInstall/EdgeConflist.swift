import JSON

/// The network configuration the init container writes to the runtime's config folder:
/// our plugin (edge mode, subnets from the agent's subnet file), then the reference
/// `portmap` for `hostPort`s, as every Kubernetes CNI chains it.
public struct EdgeConflist: Hashable, Sendable {
    public static let fileName = "10-terway-edge.conflist"
    public static let pluginName = "terway-edge-cni"

    public var name = "terway-edge"
    public var subnetFile: String
    public var bridge: String
    /// Nil: the subnet file's `mtu`, else the plugin's default.
    public var mtu: Int?
    /// Where the plugin keeps its reservations; nil: its default.
    public var dataDirectory: String?

    public init(subnetFile: String, bridge: String = "cni0", mtu: Int? = nil, dataDirectory: String? = nil) {
        self.subnetFile = subnetFile
        self.bridge = bridge
        self.mtu = mtu
        self.dataDirectory = dataDirectory
    }

    public var json: JSONValue {
        var plugin = JSONObject()
        plugin["type"] = .string(Self.pluginName)
        plugin["mode"] = "edge"
        plugin["subnetFile"] = .string(subnetFile)
        plugin["bridge"] = .string(bridge)
        plugin["mtu"] = mtu.map { .integer(Int64($0)) }
        plugin["dataDir"] = dataDirectory.map { .string($0) }
        let portmap: JSONValue = ["type": "portmap", "capabilities": ["portMappings": true], "snat": true]
        return ["cniVersion": "1.0.0", "name": .string(name), "plugins": [.object(plugin), portmap]]
    }

    /// The file's bytes: indented JSON and a final newline.
    public var bytes: [UInt8] { Array((json.serialized(indent: 2) + "\n").utf8) }
}
