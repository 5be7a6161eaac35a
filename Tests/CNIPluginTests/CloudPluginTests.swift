import CNI
import CNIProtocol
import Foundation
import JSON
import NetworkCore
import PodAddressFixture
import TestSupport
import Testing

/// `terway-edge-cni` in mode cloud, run as a runtime runs it inside node namespaces of a VPC
/// built as the emulator builds it, against a fixture speaking the address socket contract.
@Suite(.serialized) struct CloudPluginTests {
    /// One cloud node: its namespace (primary ENI eth0, secondary ENI eth1) and the fixture
    /// granting addresses of eth1.
    struct Node {
        let binary: String
        let namespace: TestNamespace
        let server: PodAddressFixture
        let scratch: TemporaryDirectory

        init(_ vpc: CloudVPC, label: String, primary: String, pods: [[String]]) throws {
            binary = try builtExecutable("terway-edge-cni")
            let (instance, macs) = try vpc.instance(label, primary: primary, secondary: 1)
            namespace = instance
            scratch = try TemporaryDirectory("te-cloud")
            let eni = PodAddressGrant.ENIBinding(mac: macs[1], slot: 1, gateways: [IPAddress(CloudVPC.gateway)!, IPAddress(CloudVPC.gatewayV6)!],
                                                 subnets: [IPPrefix("192.168.0.0/24")!, IPPrefix("fd00:1::/64")!], mtu: 1500)
            server = try PodAddressFixture(path: scratch.file("ip.sock"), eni: eni, addresses: pods.map { $0.map { IPAddress($0)! } })
            for address in pods.joined() { try vpc.route(address, to: instance, eni: 1, mac: macs[1]) }
        }

        func config(version: CNIVersion = .latest, extra: [String: JSONValue] = [:]) -> JSONValue {
            var object = JSONObject()
            object["cniVersion"] = .string(version.description)
            object["name"] = "vpc"
            object["type"] = "terway-edge-cni"
            object["mode"] = "cloud"
            object["socket"] = .string(server.path)
            for (key, value) in extra { object[key] = value }
            return .object(object)
        }

        func run(_ command: String, config: JSONValue? = nil, containerID: String? = nil, pod: TestNamespace? = nil) throws -> PluginRun {
            var env = ["CNI_COMMAND": command, "CNI_PATH": "/usr/lib/cni", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                       "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=\(containerID ?? "none")"]
            env["CNI_CONTAINERID"] = containerID
            env["CNI_NETNS"] = pod?.path
            env["CNI_IFNAME"] = containerID == nil ? nil : "eth0"
            let result = try namespace.exec([binary], stdin: (config ?? self.config()).serialized(), environment: env, check: false)
            return PluginRun(status: result.status, stdout: result.stdout, stderr: result.stderr)
        }

        func add(_ containerID: String, _ pod: TestNamespace) throws -> JSONValue {
            let add = try run("ADD", containerID: containerID, pod: pod)
            #expect(add.status == 0, "\(add.stdout)")
            return try #require(add.json)
        }

        func rules() throws -> String {
            try namespace.exec(["ip", "rule"]).stdout + namespace.exec(["ip", "-6", "rule"]).stdout
        }

        @discardableResult
        func exec(_ argv: [String], check: Bool = true) throws -> CommandResult { try namespace.exec(argv, check: check) }
    }

    @Test func podsReachTheVMAndEachOtherAcrossNodesAndTheENICarriesPlainIP() throws {
        let vpc = try CloudVPC()
        // The VM on another vSwitch for IPv6: this VPC answers no neighbour solicitation for its addresses.
        let (vm, _) = try vpc.instance("vm", primary: "192.168.0.50", primaryV6: "fd00:2::50")
        let a = try Node(vpc, label: "nodea", primary: "192.168.0.10",
                         pods: [["192.168.0.100", "fd00:1::100"], ["192.168.0.101", "fd00:1::101"]])
        let b = try Node(vpc, label: "nodeb", primary: "192.168.0.11", pods: [["192.168.0.110"]])
        let pods = try [TestNamespace("poda"), TestNamespace("poda"), TestNamespace("podb")]
        let result = try a.add("a0", pods[0])
        _ = try a.add("a1", pods[1])
        _ = try b.add("b0", pods[2])

        #expect(result["ips"]?.arrayValue?.compactMap { $0["address"]?.stringValue } == ["192.168.0.100/32", "fd00:1::100/128"])
        #expect(result["ips"]?.arrayValue?.compactMap { $0["gateway"]?.stringValue } == ["169.254.1.1", "fe80::1"])
        #expect(result["routes"]?.arrayValue?.compactMap { $0["dst"]?.stringValue } == ["0.0.0.0/0", "::/0"])
        #expect(try pods[0].addresses(on: "eth0").sorted() == ["192.168.0.100/32", "fd00:1::100/128"])
        let rules = try a.rules()
        for expected in ["512:\tfrom all to 192.168.0.100 lookup main", "2048:\tfrom 192.168.0.100 lookup 1001",
                         "512:\tfrom all to fd00:1::100 lookup main", "2048:\tfrom fd00:1::100 lookup 1001"] {
            #expect(rules.contains(expected), "\(rules)")
        }
        let table = try a.exec(["ip", "route", "show", "table", "1001"]).stdout
        #expect(table.contains("default via 192.168.0.253 dev eth1") && table.contains("192.168.0.0/24 dev eth1 scope link"), "\(table)")

        // The capture starts before the traffic and ends with it; plain IP on the ENI.
        let capture = try a.namespace.spawn(["tcpdump", "-l", "-n", "-i", "eth1", "-c", "2", "icmp"], logFile: a.scratch.file("capture"))
        #expect(waitUntil(timeout: 5) { (try? String(contentsOfFile: a.scratch.file("capture"), encoding: .utf8))?.contains("listening") ?? false })
        try pods[0].exec(["ping", "-c1", "-W2", "192.168.0.50"])              // pod -> VM
        #expect(waitUntil(timeout: 5) { !capture.isRunning })
        capture.terminate()
        let captured = try String(contentsOfFile: a.scratch.file("capture"), encoding: .utf8)
        #expect(captured.contains("IP 192.168.0.100 > 192.168.0.50: ICMP echo request"), "\(captured)")
        #expect(captured.contains("IP 192.168.0.50 > 192.168.0.100: ICMP echo reply"), "\(captured)")
        #expect(!captured.contains("UDP") && !captured.contains("GRE") && !captured.contains("IP6"), "\(captured)")

        try vm.exec(["ping", "-c1", "-W2", "192.168.0.100"])                  // VM -> pod, directly
        try pods[0].exec(["ping", "-c1", "-W2", "192.168.0.101"])              // pod -> pod, same node
        try pods[0].exec(["ping", "-c1", "-W2", "192.168.0.110"])              // pod -> pod, other node
        try pods[2].exec(["ping", "-c1", "-W2", "192.168.0.100"])
        try pods[2].exec(["ping", "-c1", "-W2", "192.168.0.10"])               // pod -> the other node
        #expect(waitUntil(timeout: 5) { (try? pods[0].exec(["ping", "-6", "-c1", "-W1", "fd00:2::50"])) != nil })
        try vm.exec(["ping", "-6", "-c1", "-W2", "fd00:1::101"])
    }

    /// ADD, CHECK (from 0.4.0) and DEL at every version, DEL twice; GC and STATUS from 1.1.0.
    @Test(arguments: CNIVersion.supported)
    func everyVerbAtEveryVersion(version: CNIVersion) throws {
        let vpc = try CloudVPC()
        let node = try Node(vpc, label: "node", primary: "192.168.0.10", pods: [["192.168.0.100"]])
        let pod = try TestNamespace("pod")
        let config = node.config(version: version)
        let add = try node.run("ADD", config: config, containerID: "c1", pod: pod)
        #expect(add.status == 0, "\(add.stdout)")
        let result = try #require(add.json)
        #expect(result["cniVersion"] == .string(version.description))
        let check = try node.run("CHECK", config: EdgePluginTests.with(config, prevResult: result), containerID: "c1", pod: pod)
        #expect(version >= .v0_4_0 ? check.status == 0 : check.code == 1, "\(check.stdout)")
        for _ in 0..<2 {
            let del = try node.run("DEL", config: config, containerID: "c1", pod: pod)
            #expect(del.status == 0, "\(del.stdout)")
        }
        #expect(node.server.held.isEmpty)
        #expect(try !node.rules().contains("192.168.0.100"))
        let gc = try node.run("GC", config: EdgePluginTests.with(config, key: NetworkConfig.validAttachmentsKey, value: []))
        #expect(version >= .v1_1_0 ? gc.status == 0 : gc.code == 1, "\(gc.stdout)")
        let status = try node.run("STATUS", config: config)
        #expect(version >= .v1_1_0 ? status.status == 0 : status.code == 1, "\(status.stdout)")
    }

    @Test func checkFindsAMissingRuleAndDelRemovesEverything() throws {
        let vpc = try CloudVPC()
        let node = try Node(vpc, label: "node", primary: "192.168.0.10", pods: [["192.168.0.100", "fd00:1::100"]])
        let pod = try TestNamespace("pod")
        let result = try node.add("c1", pod)
        let config = EdgePluginTests.with(node.config(), prevResult: result)
        #expect(try node.run("CHECK", config: config, containerID: "c1", pod: pod).status == 0)

        try node.exec(["ip", "rule", "del", "pref", "2048", "from", "192.168.0.100", "lookup", "1001"])
        let drift = try node.run("CHECK", config: config, containerID: "c1", pod: pod)
        #expect(drift.code == 101 && drift.message.contains("2048 from 192.168.0.100/32"), "\(drift.stdout)")
        try pod.exec(["ip", "neigh", "del", "169.254.1.1", "dev", "eth0"])
        let neighbour = try node.run("CHECK", config: config, containerID: "c1", pod: pod)
        #expect(neighbour.code == 101 && neighbour.message.contains("169.254.1.1"), "\(neighbour.stdout)")

        let hostEnd = try #require(result["interfaces"]?.arrayValue?.first?["name"]?.stringValue)
        // DEL after the pod's namespace is gone: the agent's grant still names the addresses.
        pod.delete()
        let del = try node.run("DEL", config: node.config(), containerID: "c1", pod: pod)
        #expect(del.status == 0, "\(del.stdout)")
        #expect(try !node.rules().contains("192.168.0.100") && !node.rules().contains("fd00:1::100"))
        #expect(try node.exec(["ip", "link", "show", hostEnd], check: false).status != 0)
        #expect(node.server.held.isEmpty)
    }

    @Test func gcKeepsTheValidAttachmentsAndRemovesTheRest() throws {
        let vpc = try CloudVPC()
        let node = try Node(vpc, label: "node", primary: "192.168.0.10", pods: [["192.168.0.100"], ["192.168.0.101"]])
        let pods = try [TestNamespace("pod"), TestNamespace("pod")]
        _ = try node.add("keep", pods[0])
        let gone = try node.add("gone", pods[1])
        let goneHost = try #require(gone["interfaces"]?.arrayValue?.first?["name"]?.stringValue)
        let valid: JSONValue = [["containerID": "keep", "ifname": "eth0"]]
        let gc = try node.run("GC", config: EdgePluginTests.with(node.config(), key: NetworkConfig.validAttachmentsKey, value: valid))
        #expect(gc.status == 0, "\(gc.stdout)")
        #expect(Set(node.server.held.keys) == [PodAttachmentKey(containerID: "keep", ifName: "eth0")])
        let rules = try node.rules()
        #expect(rules.contains("192.168.0.100") && !rules.contains("192.168.0.101"), "\(rules)")
        #expect(try node.exec(["ip", "link", "show", goneHost], check: false).status != 0)
        try pods[0].exec(["ping", "-c1", "-W2", "192.168.0.10"])
        // Without a list, nothing changes.
        let noList = try node.run("GC", config: node.config())
        #expect(noList.code == 7)
    }

    @Test func quotaReachedFailsAddWithCode11NamingTheQuotaAndStatusSays50() throws {
        let vpc = try CloudVPC()
        let node = try Node(vpc, label: "node", primary: "192.168.0.10", pods: [["192.168.0.100"]])
        let pods = try [TestNamespace("pod"), TestNamespace("pod")]
        #expect(try node.run("STATUS").status == 0)
        _ = try node.add("c1", pods[0])
        let full = try node.run("ADD", containerID: "c2", pod: pods[1])
        #expect(full.code == 11 && full.message.contains("quota"), "\(full.stdout)")
        #expect(full.json?["details"]?.stringValue?.contains("ecs.g6.large") == true)
        let status = try node.run("STATUS")
        #expect(status.code == 50 && status.message.contains("quota"), "\(status.stdout)")
        node.server.stop()
        let down = try node.run("STATUS")
        #expect(down.code == 50 && down.message.contains("not reachable"), "\(down.stdout)")
        let add = try node.run("ADD", containerID: "c3", pod: pods[1])
        #expect(add.code == 11, "\(add.stdout)")
    }

    @Test func aFailureAfterAllocateReleasesTheAddresses() throws {
        let vpc = try CloudVPC()
        let node = try Node(vpc, label: "node", primary: "192.168.0.10", pods: [["192.168.0.100"]])
        let pod = try TestNamespace("pod")
        // The ENI of the grant is not plugged into this node (yet).
        try node.exec(["ip", "link", "set", "eth1", "address", "00:16:3e:ff:ff:ff"])
        let add = try node.run("ADD", containerID: "c1", pod: pod)
        #expect(add.code == 11 && add.message.contains("ENI's MAC"), "\(add.stdout)")
        #expect(node.server.held.isEmpty)
        #expect(try pod.exec(["ip", "link", "show", "eth0"], check: false).status != 0)
        #expect(try !node.rules().contains("192.168.0.100"))
    }

    /// A runtime that repeats ADD without DEL gets an error, and the pod keeps its network
    /// and its addresses (the agent's allocate answers the same grant again).
    @Test func aSecondAddOfTheSameAttachmentLeavesTheFirstIntact() throws {
        let vpc = try CloudVPC()
        let node = try Node(vpc, label: "node", primary: "192.168.0.10", pods: [["192.168.0.100"]])
        let pod = try TestNamespace("pod")
        _ = try node.add("c1", pod)
        let again = try node.run("ADD", containerID: "c1", pod: pod)
        #expect(again.code == 102, "\(again.stdout)")
        #expect(node.server.held.count == 1)
        #expect(try node.rules().contains("192.168.0.100"))
        try pod.exec(["ping", "-c1", "-W2", "192.168.0.10"])
    }

    @Test func cloudConfigRefusesEdgeKeys() throws {
        let vpc = try CloudVPC()
        let node = try Node(vpc, label: "node", primary: "192.168.0.10", pods: [])
        let pod = try TestNamespace("pod")
        let add = try node.run("ADD", config: node.config(extra: ["subnet": "10.0.0.0/24"]), containerID: "c1", pod: pod)
        #expect(add.code == 2 && add.message.contains("\"subnet\": \"10.0.0.0/24\""), "\(add.stdout)")
    }
}
