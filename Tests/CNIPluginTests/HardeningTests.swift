import CNI
import Foundation
import JSON
import TestSupport
import Testing

/// Issue 15: the defects a runtime or Multus hits on a real node, each driven through the
/// built binary in `te-` namespaces as the runtime drives it.
@Suite struct HardeningTests {
    static func add(_ node: EdgeNode, _ config: JSONValue, _ id: String, _ pod: TestNamespace, ifname: String = "eth0") throws -> JSONValue {
        let run = try node.run("ADD", config: config, containerID: id, netns: pod.path, ifname: ifname)
        #expect(run.status == 0, "ADD \(id)/\(ifname): \(run.stdout)")
        return try #require(run.json, "\(run.stdout)")
    }

    // MARK: 1. GC without a list

    @Test func gcWithoutAnAttachmentListChangesNothing() throws {
        let node = try EdgeNode()
        let pods = try [TestNamespace("pod"), TestNamespace("pod")]
        let config = node.config(subnet: "10.0.3.0/24")
        for (i, pod) in pods.enumerated() { _ = try Self.add(node, config, "c\(i)", pod) }
        let before = try node.reservations()
        let links = try node.links()

        let gc = try node.run("GC", config: config)
        #expect(gc.code == 7, "\(gc.stdout)")
        #expect(gc.message.contains("cni.dev/valid-attachments"), "\(gc.stdout)")
        #expect(try node.reservations() == before)
        #expect(try node.links() == links)
        for pod in pods { try pod.exec(["ping", "-c1", "-W2", "10.0.3.1"]) }

        // The key of the tagged 1.1.0 text works as well.
        let tagged = EdgePluginTests.with(config, key: "cni.dev/attachments", value: [["containerID": "c1", "ifname": "eth0"]])
        let run = try node.run("GC", config: tagged)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(try node.reservations().compactMap { $0.value?.containerID } == ["c1"])
    }

    // MARK: 3. Bridge drift

    @Test func staleBridgeAddressFailsAddUnlessForceAddressReplacesIt() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        // What flannel (or an older lease) left: cni0 with another subnet's gateway, MTU 1500.
        try node.namespace.exec(["ip", "link", "add", "cni0", "mtu", "1500", "type", "bridge"])
        try node.namespace.exec(["ip", "addr", "add", "10.244.1.1/24", "dev", "cni0"])
        try node.namespace.exec(["ip", "link", "set", "cni0", "up"])
        let config = node.config(subnet: "10.0.3.0/24")

        let refused = try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(refused.status == 1)
        #expect(refused.message.contains("10.244.1.1/24"), "\(refused.stdout)")
        #expect(refused.stdout.contains("forceAddress"), "\(refused.stdout)")
        #expect(try node.reservations().isEmpty)
        #expect(try pod.exec(["ip", "link", "show", "eth0"], check: false).status != 0)

        let forced = EdgePluginTests.with(config, key: "forceAddress", value: true)
        _ = try Self.add(node, forced, "c1", pod)
        let addresses = try node.namespace.addresses(on: "cni0")
        #expect(addresses == ["10.0.3.1/24"])
        let routes = try node.namespace.exec(["ip", "route", "show"]).stdout
        #expect(!routes.contains("10.244.1.0/24"), "\(routes)")
        #expect(try node.namespace.exec(["ip", "link", "show", "cni0"]).stdout.contains("mtu 1450"))
        try pod.exec(["ping", "-c1", "-W2", "10.0.3.1"])
    }

    // MARK: 4. CHECK from prevResult, with reference plugins chained after ours

    @Test(arguments: [CNIVersion.v0_4_0, .v1_0_0])
    func checkPassesWithTuningChangingTheMTUAfterUs(version: CNIVersion) throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let list = try NetworkConfigList(json: [
            "cniVersion": .string(version.description), "name": .string(node.network),
            "plugins": [
                ["type": "terway-edge-cni", "subnet": ["10.0.5.0/24", "fd00:0:5::/64"], "mtu": 1450, "dataDir": .string(node.data.path)],
                ["type": "tuning", "mtu": 1400, "sysctl": ["net.ipv4.conf.eth0.rp_filter": "2"]],
            ],
        ])
        let chain = ChainingTests.Chain(node: node, list: list, version: version, pod: pod)
        let result = try #require(try chain.add())
        #expect(try pod.exec(["ip", "link", "show", "eth0"]).stdout.contains("mtu 1400"))
        // A later plugin adding a route of its own is a change CHECK must tolerate too.
        try pod.exec(["ip", "route", "add", "192.0.2.0/24", "via", "10.0.5.1", "dev", "eth0"])
        for run in try chain.check(result) { #expect(run.status == 0, "\(run.stdout)") }
        for run in try chain.del(result) { #expect(run.status == 0, "\(run.stdout)") }
        #expect(try node.reservations().isEmpty)
    }

    /// `sbr` after ours moves the pod's routes into a table of their own, with a rule per address.
    @Test func checkPassesWithSbrMovingTheRoutesAfterUs() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let list = try NetworkConfigList(json: [
            "cniVersion": "1.0.0", "name": .string(node.network),
            "plugins": [
                ["type": "terway-edge-cni", "subnet": "10.0.5.0/24", "mtu": 1450, "dataDir": .string(node.data.path)],
                ["type": "sbr"],
            ],
        ])
        let chain = ChainingTests.Chain(node: node, list: list, version: .v1_0_0, pod: pod)
        let result = try #require(try chain.add())
        #expect(try pod.exec(["ip", "route", "show", "default"]).stdout.isEmpty, "sbr moved the default route")
        #expect(try pod.exec(["ip", "rule", "show"]).stdout.contains("from 10.0.5.2"))
        for run in try chain.check(result) { #expect(run.status == 0, "\(run.stdout)") }
        for run in try chain.del(result) { #expect(run.status == 0, "\(run.stdout)") }
    }

    // MARK: 5. Best-effort DEL

    @Test func delReleasesDespiteInputItWouldRefuseForAdd() throws {
        let node = try EdgeNode()
        let config = node.config(subnet: "10.0.3.0/24")
        let pods = try (0..<4).map { _ in try TestNamespace("pod") }
        for (i, pod) in pods.enumerated() { _ = try Self.add(node, config, "c\(i)", pod) }

        let badPrevResult = EdgePluginTests.with(config, prevResult: ["cniVersion": "1.1.0", "ips": [["address": "nonsense"]]])
        #expect(try node.run("DEL", config: badPrevResult, containerID: "c0", netns: pods[0].path, ifname: "eth0").status == 0)
        let args = try node.namespace.exec([node.binary], stdin: config.serialized(), environment: [
            "CNI_COMMAND": "DEL", "CNI_CONTAINERID": "c1", "CNI_NETNS": pods[1].path, "CNI_IFNAME": "eth0",
            "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAME=web;garbage"], check: false)
        #expect(args.status == 0, "\(args.stdout)")
        #expect(try node.run("DEL", config: config, containerID: "c2", netns: "proc/1/ns/net", ifname: "eth0").status == 0)
        // A config this version no longer accepts (an unknown mode, a broken subnet).
        let changed = EdgePluginTests.with(EdgePluginTests.with(config, key: "mode", value: "hybrid"), key: "subnet", value: "bogus")
        let run = try node.run("DEL", config: changed, containerID: "c3", netns: pods[3].path, ifname: "eth0")
        #expect(run.status == 0, "\(run.stdout)")
        #expect(try node.reservations().isEmpty)
        #expect(try node.links().filter { $0.hasPrefix("veth") }.isEmpty)
    }

    @Test func delFailsOnlyWhenTheStoreCannotBeWritten() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let config = node.config(subnet: "10.0.3.0/24")
        _ = try Self.add(node, config, "c1", pod)
        // The lock cannot be opened for writing: the release cannot happen.
        try FileManager.default.removeItem(atPath: node.storeDirectory + "/lock")
        try FileManager.default.createDirectory(atPath: node.storeDirectory + "/lock", withIntermediateDirectories: false)
        let run = try node.run("DEL", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(run.status == 1)
        #expect(run.code == 5, "\(run.stdout)")
        #expect(run.message.contains("IPAM store"), "\(run.stdout)")
    }

    // MARK: 6. A second attachment in one pod (Multus: eth0 and net1)

    @Test func secondAttachmentInOnePod() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let first = node.config(subnet: ["10.0.3.0/24", "fd00:0:3::/64"])
        var second = EdgePluginTests.with(node.config(subnet: ["10.0.9.0/24", "fd00:0:9::/64"]), key: "name", value: "edge2")
        second = EdgePluginTests.with(second, key: "bridge", value: "cni1")
        let eth0 = try Self.add(node, first, "c1", pod, ifname: "eth0")
        let net1 = try Self.add(node, second, "c1", pod, ifname: "net1")
        #expect(net1["ips"]?.arrayValue?.first?["address"] == "10.0.9.2/24")
        try pod.exec(["ping", "-c1", "-W2", "10.0.3.1"])
        try pod.exec(["ping", "-c1", "-W2", "10.0.9.1"])
        // The first default route wins.
        #expect(try pod.exec(["ip", "route", "show", "default"]).stdout.contains("via 10.0.3.1 dev eth0"))
        for (config, ifname, result) in [(first, "eth0", eth0), (second, "net1", net1)] {
            let check = try node.run("CHECK", config: EdgePluginTests.with(config, prevResult: result), containerID: "c1", netns: pod.path, ifname: ifname)
            #expect(check.status == 0, "CHECK \(ifname): \(check.stdout)")
        }
        for (config, ifname) in [(second, "net1"), (first, "eth0")] {
            #expect(try node.run("DEL", config: config, containerID: "c1", netns: pod.path, ifname: ifname).status == 0)
        }
        #expect(try node.links().filter { $0.hasPrefix("veth") }.isEmpty)
    }

    // MARK: 7. Reused addresses

    @Test func podInterfaceAnnouncesItsAddressOnUp() throws {
        let node = try EdgeNode()
        // Two addresses for pods (.2, .3): a pod that stays keeps the bridge up (a bridge
        // without ports loses its carrier and its neighbour entries), the next pod reuses .3.
        let config = node.config(subnet: "10.0.9.0/29", extra: ["exclude": ["10.0.9.4/30"]])
        let keeper = try TestNamespace("pod"), first = try TestNamespace("pod"), second = try TestNamespace("pod")
        _ = try Self.add(node, config, "keeper", keeper)
        _ = try Self.add(node, config, "old", first)
        #expect(try first.exec(["cat", "/proc/sys/net/ipv4/conf/eth0/arp_notify"]).stdout.hasPrefix("1"))
        try node.namespace.exec(["ping", "-c1", "-W2", "10.0.9.3"])
        #expect(try node.run("DEL", config: config, containerID: "old", netns: first.path, ifname: "eth0").status == 0)
        Thread.sleep(forTimeInterval: 1.1) // past the neighbour table's locktime, as a real reuse is

        let result = try Self.add(node, config, "new", second)
        #expect(result["ips"]?.arrayValue?.first?["address"] == "10.0.9.3/29")
        let mac = try #require(result["interfaces"]?.arrayValue?.first { $0["name"] == "eth0" }?["mac"]?.stringValue)
        let updated = waitUntil(timeout: 60) {
            ((try? node.namespace.exec(["ip", "neigh", "show", "10.0.9.3", "dev", "cni0"]).stdout) ?? "").contains(mac)
        }
        #expect(updated, "the node still has the old MAC for 10.0.9.3")
    }

    // MARK: IPv6 usable at once

    /// Every IPv6 address in the pod is usable as ADD returns: none tentative (DAD would keep
    /// the link-local one so for a second or more) and the gateway answers the first echo.
    @Test func podIPv6AddressesAreUsableRightAfterAdd() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        _ = try Self.add(node, node.config(subnet: ["10.0.3.0/24", "fd00:0:3::/64"]), "c1", pod)
        let addresses = try pod.exec(["ip", "-6", "addr", "show", "dev", "eth0"]).stdout
        #expect(addresses.contains("fd00:0:3::2/64"), "\(addresses)")
        #expect(addresses.contains("fe80::"), "\(addresses)")
        #expect(!addresses.contains("tentative"), "\(addresses)")
        #expect(try pod.exec(["ping", "-6", "-c1", "-W2", "fd00:0:3::1"], check: false).status == 0)
        // Only the pod's interface: the namespace's defaults stay as they were.
        #expect(try pod.exec(["cat", "/proc/sys/net/ipv6/conf/eth0/accept_dad"]).stdout.hasPrefix("0"))
        #expect(try pod.exec(["cat", "/proc/sys/net/ipv6/conf/default/accept_dad"]).stdout.hasPrefix("1"))
    }

    // MARK: 8. IPv6 MTU

    @Test func ipv6SubnetWithAnMTUBelow1280IsAConfigError() throws {
        let node = try EdgeNode()
        let pod = try TestNamespace("pod")
        let config = EdgePluginTests.with(node.config(subnet: ["10.0.3.0/24", "fd00:0:3::/64"]), key: "mtu", value: 1200)
        let run = try node.run("ADD", config: config, containerID: "c1", netns: pod.path, ifname: "eth0")
        #expect(run.code == 7, "\(run.stdout)")
        #expect(run.message.contains("1280"), "\(run.stdout)")
        #expect(try !node.links().contains("cni0"))
        #expect(try node.reservations().isEmpty)
    }
}
