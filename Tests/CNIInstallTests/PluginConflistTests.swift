import CNI
import CNIInstall
import CNIPlugin
import JSON
import Testing

/// The conflist install-cni writes, for each mode, read back the way the runtime and the
/// plugin read it: libcni's list, then our plugin's entry through the plugin's own parser.
@Suite struct PluginConflistTests {
    /// The list's first entry as the runtime hands it to the plugin (list name and version added).
    static func pluginConfig(_ conflist: PluginConflist) throws -> NetworkConfig {
        let list = try NetworkConfigList(json: try JSONValue.parse(conflist.bytes))
        #expect(list.plugins.map { $0["type"]?.stringValue } == ["terway-edge-cni", "portmap"])
        #expect(list.plugins[1]["capabilities"]?.objectValue?["portMappings"] == .bool(true))
        let version = try #require(list.negotiatedVersion())
        return try NetworkConfig(json: list.pluginConfig(at: 0, version: version))
    }

    @Test func theEdgeConflistIsOneThePluginAccepts() throws {
        let conflist = PluginConflist(mode: .edge(subnetFile: "/run/terway-edge/subnet.json", dataDirectory: "/var/lib/cni/te"), mtu: 1400)
        let network = try Self.pluginConfig(conflist)
        let file = Array(#"{"subnets":["10.0.7.0/24"]}"#.utf8)
        let config = try EdgeConfig(network, readFile: { path in path == "/run/terway-edge/subnet.json" ? file : nil })
        #expect(config.bridge == "cni0")
        #expect(config.mtu == 1400)
        #expect(config.dataDirectory == "/var/lib/cni/te")
        #expect(network.raw["mode"]?.stringValue == "edge")
    }

    @Test func theCloudConflistIsOneThePluginAccepts() throws {
        let network = try Self.pluginConfig(PluginConflist(mode: .cloud(socket: "/run/terway-edge/ip.sock", socketTimeout: 90)))
        let config = try CloudConfig(network)
        #expect(config.socket == "/run/terway-edge/ip.sock")
        #expect(config.socketTimeout == 90)
        #expect(config.mtu == nil)
        // Without a timeout the plugin's default applies; no edge key slips in.
        let defaults = try CloudConfig(try Self.pluginConfig(PluginConflist(mode: .cloud(socket: "/run/te/ip.sock"), mtu: 9000)))
        #expect(defaults.socketTimeout == 60)
        #expect(defaults.mtu == 9000)
    }

    /// What the cloud DaemonSet wrote before `--mode`: the edge conflist, which the plugin
    /// refuses in mode cloud and which sends a cloud node's pods to a subnet file nobody writes.
    @Test func theEdgeConflistIsNotACloudOne() throws {
        let network = try Self.pluginConfig(PluginConflist(mode: .edge(subnetFile: "/run/terway-edge/subnet.json")))
        var raw = network.raw
        raw["mode"] = "cloud"
        #expect(throws: CNIError.self) { _ = try CloudConfig(try NetworkConfig(json: .object(raw))) }
    }
}
