import CNI
import JSON
import TestSupport
import Testing

/// Our plugin first in a conflist, then the reference `portmap` and `bandwidth` plugins
/// (containernetworking-plugins 1.1.1 from /usr/lib/cni), called as libcni calls them.
@Suite struct ChainingTests {
    static func conflist(_ node: EdgeNode, version: CNIVersion) throws -> NetworkConfigList {
        try NetworkConfigList(json: [
            "cniVersion": .string(version.description),
            "name": .string(node.network),
            "plugins": [
                ["type": "terway-edge-cni", "mode": "edge", "subnet": ["10.0.5.0/24", "fd00:0:5::/64"], "mtu": 1450, "dataDir": .string(node.data.path)],
                ["type": "portmap", "capabilities": ["portMappings": true], "snat": true],
                ["type": "bandwidth", "ingressRate": 8_000_000, "ingressBurst": 65536],
            ],
        ])
    }

    /// Runs the list like libcni: ADD in order handing each Result on as prevResult, CHECK
    /// in order and DEL in reverse order with the final Result.
    struct Chain {
        let node: EdgeNode
        let list: NetworkConfigList
        let version: CNIVersion
        let pod: TestNamespace

        let runtimeConfig: JSONValue = ["portMappings": [["hostPort": 8080, "containerPort": 80, "protocol": "tcp"]]]

        func binary(_ index: Int) -> String {
            let type = list.plugins[index]["type"]?.stringValue ?? ""
            return type == "terway-edge-cni" ? node.binary : "/usr/lib/cni/\(type)"
        }

        func invoke(_ command: String, _ index: Int, prevResult: JSONValue?) throws -> PluginRun {
            var extra: [(String, JSONValue)] = []
            if list.plugins[index]["capabilities"]?["portMappings"] == true { extra.append(("runtimeConfig", runtimeConfig)) }
            let config = list.pluginConfig(at: index, version: version, prevResult: prevResult, extra: extra)
            return try node.run(command, config: config, containerID: "chained", netns: pod.path, ifname: "eth0", binary: binary(index))
        }

        func add() throws -> JSONValue? {
            var previous: JSONValue?
            for index in list.plugins.indices {
                let run = try invoke("ADD", index, prevResult: previous)
                guard run.status == 0, let result = run.json else {
                    Issue.record("ADD \(binary(index)) failed: \(run.stdout)")
                    return nil
                }
                previous = result
            }
            return previous
        }

        func check(_ result: JSONValue) throws -> [PluginRun] {
            try list.plugins.indices.map { try invoke("CHECK", $0, prevResult: result) }
        }

        func del(_ result: JSONValue?) throws -> [PluginRun] {
            try list.plugins.indices.reversed().map { try invoke("DEL", $0, prevResult: result) }
        }
    }

    /// 0.3.x has no CHECK (it came with 0.4.0): there the chain is ADD and DEL only.
    @Test(arguments: [CNIVersion.v0_3_0, .v0_3_1, .v0_4_0, .v1_0_0])
    func chainedWithPortmapAndBandwidth(version: CNIVersion) throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let chain = Chain(node: node, list: try Self.conflist(node, version: version), version: version, pod: pod)

        let result = try #require(try chain.add())
        #expect(result["cniVersion"] == .string(version.description))
        let interfaces = try #require(result["interfaces"]?.arrayValue)
        let hostEnd = try #require(interfaces.first { $0["sandbox"] == nil && $0["name"] != "cni0" }?["name"]?.stringValue)
        #expect(result["ips"]?.arrayValue?.first?["address"] == "10.0.5.2/24")
        // Before 1.0.0 every IP carries its family as `version`, through portmap and bandwidth too.
        #expect(result["ips"]?.arrayValue?.first?["version"] == (version < .v1_0_0 ? "4" : nil), "\(result)")

        // portmap's DNAT for 8080 -> pod:80 and bandwidth's shaper on our host veth exist in the node.
        let nat = try node.namespace.exec(["iptables", "-t", "nat", "-S"]).stdout
        #expect(nat.contains("--dport 8080") && nat.contains("10.0.5.2:80"), "\(nat)")
        let qdisc = try node.namespace.exec(["tc", "qdisc", "show", "dev", hostEnd]).stdout
        #expect(qdisc.contains("tbf"), "\(qdisc)")
        try pod.exec(["ping", "-c1", "-W2", "10.0.5.1"])

        // portmap 1.1.1's CHECK looks for its IPv4 rules in ip6tables and always fails
        // (containernetworking/plugins#819, fixed upstream after 1.1.1): expect exactly that.
        for (index, run) in try (version >= .v0_4_0 ? chain.check(result) : []).enumerated() {
            if chain.list.plugins[index]["type"] == "portmap" {
                #expect(run.message.contains("could not check ipv6 dnat"), "\(run.stdout)")
            } else {
                #expect(run.status == 0, "\(run.stdout)")
            }
        }
        for run in try chain.del(result) { #expect(run.status == 0, "\(run.stdout)") }
        for run in try chain.del(result) { #expect(run.status == 0, "second DEL: \(run.stdout)") }

        #expect(try !node.links().contains(hostEnd))
        #expect(try node.reservations().isEmpty)
        let natAfter = try node.namespace.exec(["iptables", "-t", "nat", "-S"]).stdout
        #expect(!natAfter.contains("--dport 8080"), "\(natAfter)")
    }
}
