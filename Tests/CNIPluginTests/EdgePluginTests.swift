import Foundation
import CNI
import JSON
import TestSupport
import Testing

/// The built binary on a node namespace with pod namespaces, as a runtime drives it.
@Suite struct EdgePluginTests {
    @Test func twoPodsPingEachOtherAndTheGatewayThenDelCleansUp() throws {
        let node = try EdgeNode()
        let pods = try [TestNamespace("pod"), TestNamespace("pod")]
        var results: [JSONValue] = []
        for (i, pod) in pods.enumerated() {
            let add = try node.run("ADD", config: node.config(), containerID: "pod\(i)", netns: pod.path, ifname: "eth0")
            #expect(add.status == 0, "\(add.stdout)")
            results.append(try #require(add.json))
        }
        #expect(results.map { $0["ips"]?.arrayValue?.compactMap { $0["address"]?.stringValue } }
                == [["10.0.3.2/24", "fd00:0:3::2/64"], ["10.0.3.3/24", "fd00:0:3::3/64"]])
        #expect(try pods[0].addresses(on: "eth0") .sorted() == ["10.0.3.2/24", "fd00:0:3::2/64"])
        let interfaces = try #require(results[0]["interfaces"]?.arrayValue)
        // As the reference bridge lists them: the bridge, the host end, the container end.
        #expect(interfaces.count == 3)
        #expect(interfaces[0]["name"] == "cni0")
        #expect(interfaces[2]["name"] == "eth0")
        #expect(interfaces[2]["sandbox"] == .string(pods[0].path))
        #expect(interfaces[2]["mtu"] == 1450)
        #expect(results[0]["ips"]?.arrayValue?.first?["interface"] == 2)
        #expect(results[0]["routes"]?.arrayValue?.compactMap { $0["dst"]?.stringValue } == ["0.0.0.0/0", "::/0"])

        try pods[0].exec(["ping", "-c1", "-W2", "10.0.3.3"])
        try pods[1].exec(["ping", "-c1", "-W2", "10.0.3.2"])
        try pods[0].exec(["ping", "-c1", "-W2", "10.0.3.1"])
        #expect(waitUntil(timeout: 60) { (try? pods[0].exec(["ping", "-6", "-c1", "-W1", "fd00:0:3::3"])) != nil })

        let hostEnds = try #require(interfaces[1]["name"]?.stringValue)
        #expect(try node.links().contains(hostEnds))
        for (i, pod) in pods.enumerated() {
            let del = try node.run("DEL", config: node.config(), containerID: "pod\(i)", netns: pod.path, ifname: "eth0")
            #expect(del.status == 0, "\(del.stdout)")
            #expect(try pod.exec(["ip", "link", "show", "eth0"], check: false).status != 0)
        }
        #expect(try !node.links().contains(hostEnds))
        #expect(try node.reservations().isEmpty)
    }

    /// ADD, CHECK (from 0.4.0) and DEL at every version the plugin speaks, each printing
    /// its Result in that version's format.
    @Test(arguments: CNIVersion.supported)
    func everyVerbAtEveryVersion(version: CNIVersion) throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let config = node.config(version: version)
        let add = try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(add.status == 0, "\(add.stdout)")
        let result = try #require(add.json)
        #expect(result["cniVersion"] == .string(version.description))
        #expect(result["ips"]?.arrayValue?.first?["version"] == (version < .v1_0_0 ? "4" : nil))
        if version >= .v0_4_0 {
            let check = try node.run("CHECK", config: Self.with(config, prevResult: result), containerID: "c1", netns: pod.path, ifname: "eth0")
            #expect(check.status == 0, "\(check.stdout)")
        } else {
            let check = try node.run("CHECK", config: Self.with(config, prevResult: result), containerID: "c1", netns: pod.path, ifname: "eth0")
            #expect(check.code == 1)
        }
        for _ in 0..<2 { // DEL is idempotent
            let del = try node.run("DEL", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
            #expect(del.status == 0, "\(del.stdout)")
        }
        #expect(try node.reservations().isEmpty)
        let gc = try node.run("GC", config: Self.with(config, key: NetworkConfig.validAttachmentsKey, value: []))
        #expect(version >= .v1_1_0 ? gc.status == 0 : gc.code == 1, "\(gc.stdout)")
        let status = try node.run("STATUS", config: config)
        #expect(version >= .v1_1_0 ? status.status == 0 : status.code == 1, "\(status.stdout)")
    }

    @Test func checkReportsDrift() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let config = node.config(subnet: "10.0.3.0/24")
        let add = try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        let checkConfig = Self.with(config, prevResult: try #require(add.json))
        #expect(try node.run("CHECK", config: checkConfig, containerID: "c1", netns: pod.path, ifname: "eth0").status == 0)

        try pod.exec(["ip", "route", "del", "default"])
        let noRoute = try node.run("CHECK", config: checkConfig, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(noRoute.status == 1)
        #expect(noRoute.code == 101, "\(noRoute.stdout)")

        try pod.exec(["ip", "addr", "flush", "dev", "eth0"])
        let noAddress = try node.run("CHECK", config: checkConfig, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(noAddress.code == 101, "\(noAddress.stdout)")

        try pod.exec(["ip", "link", "del", "eth0"])
        let noLink = try node.run("CHECK", config: checkConfig, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(noLink.code == 101, "\(noLink.stdout)")

        // A prevResult that does not match what IPAM holds is drift too.
        let other = Self.with(config, prevResult: ["cniVersion": "1.1.0", "interfaces": [["name": "eth0", "sandbox": .string(pod.path)]],
                                                   "ips": [["address": "10.0.3.99/24", "interface": 0]]])
        #expect(try node.run("CHECK", config: other, containerID: "c1", netns: pod.path, ifname: "eth0").code == 101)
        // One that does not name this attachment's interface is not this attachment's Result.
        let foreign = Self.with(config, prevResult: ["cniVersion": "1.1.0", "ips": [["address": "10.0.3.2/24"]]])
        #expect(try node.run("CHECK", config: foreign, containerID: "c1", netns: pod.path, ifname: "eth0").code == 7)
        #expect(try node.run("DEL", config: config, containerID: "c1", netns: pod.path, ifname: "eth0").status == 0)
    }

    @Test func secondAddForALiveAttachmentIsRefusedAndLeavesItIntact() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let config = node.config(subnet: "10.0.3.0/24")
        #expect(try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0").status == 0)
        let before = try node.reservations()
        let again = try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(again.code == 102, "\(again.stdout)")
        #expect(again.message.contains("c1/eth0 already holds 10.0.3.2"))
        #expect(try node.reservations() == before)
        try pod.exec(["ping", "-c1", "-W2", "10.0.3.1"])
    }

    @Test func delSucceedsForUnknownContainersAndMissingNamespaces() throws {
        let node = try EdgeNode()
        let config = node.config()
        #expect(try node.run("DEL", config: config, containerID: "never-added", netns: "/var/run/netns/te-none", ifname: "eth0").status == 0)
        #expect(try node.run("DEL", config: config, containerID: "never-added", ifname: "eth0").status == 0)

        let pod = try TestNamespace("pod")
        let path = pod.path
        #expect(try node.run("ADD", config: config, containerID: "c1", netns: path, ifname: "eth0").status == 0)
        pod.delete() // the runtime tore the sandbox down first
        let del = try node.run("DEL", config: config, containerID: "c1", netns: path, ifname: "eth0")
        #expect(del.status == 0, "\(del.stdout)")
        #expect(try node.reservations().isEmpty)
        #expect(try !node.links().contains { $0.hasPrefix("veth") })
    }

    @Test func gcFreesAddressesAndLinksOfForgottenAttachments() throws {
        let node = try EdgeNode()
        let pods = try (0..<3).map { _ in try TestNamespace("pod") }
        let config = node.config(subnet: "10.0.3.0/24")
        for (i, pod) in pods.enumerated() {
            #expect(try node.run("ADD", config: config, containerID: "c\(i)", netns: pod.path, ifname: "eth0").status == 0)
        }
        let gcConfig = Self.with(config, key: NetworkConfig.validAttachmentsKey,
                                 value: [["containerID": "c1", "ifname": "eth0"]])
        let gc = try node.run("GC", config: gcConfig)
        #expect(gc.status == 0, "\(gc.stdout)")
        #expect(try node.reservations().compactMap { $0.value?.containerID } == ["c1"])
        #expect(try node.links().filter { $0.hasPrefix("veth") }.count == 1)
        #expect(try pods[0].exec(["ip", "link", "show", "eth0"], check: false).status != 0)
        try pods[1].exec(["ping", "-c1", "-W2", "10.0.3.1"])
    }

    @Test func statusReportsWhetherAddsCanSucceed() throws {
        let node = try EdgeNode()
        #expect(try node.run("STATUS", config: node.config()).status == 0)

        let missing = try node.run("STATUS", config: node.config(extra: ["subnet": .null, "subnetFile": .string(node.data.file("subnet.json"))]))
        #expect(missing.code == 50, "\(missing.stdout)")
        #expect(missing.message.contains("does not exist yet"))

        // A /30 has one address for pods.
        let tiny = node.config(subnet: "10.0.9.0/30")
        let pod = try TestNamespace("pod")
        #expect(try node.run("ADD", config: tiny, containerID: "c1", netns: pod.path, ifname: "eth0").status == 0)
        let full = try node.run("STATUS", config: tiny)
        #expect(full.code == 50, "\(full.stdout)")
        #expect(full.message.contains("no free pod address"))
    }

    /// Not first in a chain: the previous plugins' Result comes first, ours is appended
    /// with interface indexes that point at our container interface.
    @Test func keepsThePreviousResultWhenChainedLater() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let previous: JSONValue = ["cniVersion": "1.1.0", "interfaces": [["name": "lo", "sandbox": .string(pod.path)]],
                                   "ips": [["address": "192.0.2.7/32", "interface": 0]]]
        let add = try node.run("ADD", config: Self.with(node.config(subnet: "10.0.3.0/24"), prevResult: previous),
                               containerID: "c1", netns: pod.path, ifname: "eth0")
        let result = try #require(add.json, "\(add.stdout)")
        #expect(result["interfaces"]?.arrayValue?.compactMap { $0["name"]?.stringValue }.first == "lo")
        #expect(result["interfaces"]?.arrayValue?.count == 4)
        #expect(result["ips"]?.arrayValue?.map { $0["address"] } == ["192.0.2.7/32", "10.0.3.2/24"])
        #expect(result["ips"]?.arrayValue?.map { $0["interface"] } == [0, 3])
    }

    @Test func excludedAddressesAreNeverHandedOut() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let config = node.config(subnet: "10.0.3.0/24", extra: ["exclude": ["10.0.3.0/28"]])
        let add = try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(add.json?["ips"]?.arrayValue?.first?["address"] == "10.0.3.16/24", "\(add.stdout)")
        #expect(add.json?["ips"]?.arrayValue?.first?["gateway"] == "10.0.3.1")
    }

    @Test func delAndGCWorkWhenTheSubnetFileIsGone() throws {
        let node = try EdgeNode()
        let pods = try [TestNamespace("pod"), TestNamespace("pod")]
        try node.data.write("subnet.json", #"{"subnets":["10.0.8.0/24"]}"#)
        let config = node.config(extra: ["subnet": .null, "subnetFile": .string(node.data.file("subnet.json"))])
        for (i, pod) in pods.enumerated() {
            #expect(try node.run("ADD", config: config, containerID: "c\(i)", netns: pod.path, ifname: "eth0").status == 0)
        }
        try FileManager.default.removeItem(atPath: node.data.file("subnet.json"))
        let add = try node.run("ADD", config: config, containerID: "c9", netns: pods[0].path, ifname: "net1")
        #expect(add.code == 11, "\(add.stdout)")
        #expect(try node.run("DEL", config: config, containerID: "c0", netns: pods[0].path, ifname: "eth0").status == 0)
        #expect(try node.run("GC", config: Self.with(config, key: NetworkConfig.validAttachmentsKey, value: [])).status == 0)
        #expect(try node.reservations().isEmpty)
        #expect(try node.links().filter { $0.hasPrefix("veth") }.isEmpty)
    }

    @Test func subnetFileWrittenByTheAgentIsUsed() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        try node.data.write("subnet.json", #"{"subnets":["10.0.8.0/24"],"mtu":1400}"#)
        let config = node.config(extra: ["subnet": .null, "mtu": .null, "subnetFile": .string(node.data.file("subnet.json"))])
        let add = try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(add.json?["ips"]?.arrayValue?.first?["address"] == "10.0.8.2/24", "\(add.stdout)")
        #expect(try pod.exec(["ip", "link", "show", "eth0"]).stdout.contains("mtu 1400"))
    }

    /// The bridge config flannel generates for its delegate (as in /var/lib/cni/flannel),
    /// with `type` the only change.
    @Test func flannelGeneratedConfigWorksWithOnlyTheTypeChanged() throws {
        let node = try EdgeNode()
        let pods = try [TestNamespace("pod"), TestNamespace("pod")]
        let config: JSONValue = [
            "cniVersion": "0.3.1", "name": "cbr0", "type": "terway-edge-cni", "bridge": "cni0", "mtu": 1450,
            "hairpinMode": true, "isGateway": true, "isDefaultGateway": true, "ipMasq": false,
            "ipam": ["type": "host-local", "ranges": [[["subnet": "10.244.1.0/24"]]], "routes": [["dst": "10.244.0.0/16"]]],
            "dataDir": .string(node.data.path),
        ]
        var results: [JSONValue] = []
        for (i, pod) in pods.enumerated() {
            let add = try node.run("ADD", config: config, containerID: "f\(i)", netns: pod.path, ifname: "eth0")
            results.append(try #require(add.json, "\(add.stdout)"))
        }
        #expect(results.map { $0["ips"]?.arrayValue?.first?["address"] } == ["10.244.1.2/24", "10.244.1.3/24"])
        #expect(results[0]["ips"]?.arrayValue?.first?["gateway"] == "10.244.1.1")
        #expect(results[0]["interfaces"]?.arrayValue?.first?["name"] == "cni0")
        #expect(results[0]["routes"]?.arrayValue?.compactMap { $0["dst"]?.stringValue } == ["10.244.0.0/16", "0.0.0.0/0"])
        try pods[0].exec(["ping", "-c1", "-W2", "10.244.1.3"])
        #expect(try pods[0].exec(["ip", "route", "show", "10.244.0.0/16"]).stdout.contains("via 10.244.1.1"))
        for (i, pod) in pods.enumerated() {
            #expect(try node.run("DEL", config: config, containerID: "f\(i)", netns: pod.path, ifname: "eth0").status == 0)
        }
        #expect(try node.reservations().isEmpty)
    }

    /// host-local's range set with two ranges of one family: the first fills, then the
    /// second, each pod routed via its own range's gateway (both held by the bridge).
    @Test func severalRangesOfOneFamilyFillInOrder() throws {
        let node = try EdgeNode()
        let pods = try (0..<3).map { _ in try TestNamespace("pod") }
        var config = node.config(extra: ["isDefaultGateway": true, "ipam": ["type": "host-local", "ranges": [[
            ["subnet": "10.0.3.0/25", "rangeStart": "10.0.3.10", "rangeEnd": "10.0.3.11"], ["subnet": "10.0.3.128/25"],
        ]]]])
        config = Self.with(config, key: "subnet", value: .null)
        var addresses: [String] = []
        for (i, pod) in pods.enumerated() {
            let add = try node.run("ADD", config: config, containerID: "r\(i)", netns: pod.path, ifname: "eth0")
            addresses += add.json?["ips"]?.arrayValue?.compactMap { $0["address"]?.stringValue } ?? ["ADD failed: \(add.stdout)"]
        }
        #expect(addresses == ["10.0.3.10/25", "10.0.3.11/25", "10.0.3.130/25"])
        #expect(try Set(node.namespace.addresses(on: "cni0")) == ["10.0.3.1/25", "10.0.3.129/25"])
        try pods[2].exec(["ping", "-c1", "-W2", "10.0.3.129"])
        try pods[2].exec(["ping", "-c1", "-W2", "10.0.3.10"])
        let full = try node.run("ADD", config: Self.with(config, key: "ipam", value: ["type": "host-local", "ranges": [[
            ["subnet": "10.0.3.0/25", "rangeStart": "10.0.3.10", "rangeEnd": "10.0.3.11"]]]]), containerID: "r9", netns: pods[0].path, ifname: "net1")
        #expect(full.code == 11, "\(full.stdout)")
    }

    static func with(_ config: JSONValue, prevResult: JSONValue) -> JSONValue {
        with(config, key: "prevResult", value: prevResult)
    }

    static func with(_ config: JSONValue, key: String, value: JSONValue) -> JSONValue {
        guard case .object(var object) = config else { return config }
        object[key] = value
        return .object(object)
    }
}
