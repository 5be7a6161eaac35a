import Datapath
import Glibc
import Netlink
import NetworkCore
import TestSupport
import Testing

/// A node namespace with its datapath, and pods to attach to it.
final class DatapathFixture {
    let node: TestNamespace
    let datapath: EdgeDatapath
    let nodeSocket: NetlinkSocket
    let bridge = BridgeSpec(name: "cni0", mtu: 1500,
                            gatewayAddresses: [InterfaceAddress("10.77.0.1/24")!, InterfaceAddress("fd77::1/64")!])

    init(_ label: String) throws {
        node = try TestNamespace(label)
        let namespace = try NetworkNamespace(path: node.path)
        datapath = try EdgeDatapath(nodeNamespace: namespace)
        nodeSocket = try namespace.openNetlinkSocket()
    }

    func spec(_ pod: TestNamespace, host: Int, id: String? = nil) -> PodInterfaceSpec {
        PodInterfaceSpec(containerID: id ?? "container-\(pod.name)", ifName: "eth0", netnsPath: pod.path, mtu: 1500,
                         addresses: [InterfaceAddress("10.77.0.\(host)/24")!, InterfaceAddress("fd77::\(host)/64")!],
                         routes: [PodRoute(destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("10.77.0.1")),
                                  PodRoute(destination: IPPrefix("::/0")!, gateway: IPAddress("fd77::1"))])
    }

    var vethNames: [String] {
        get throws { try nodeSocket.listLinks().map(\.name).filter { $0.hasPrefix("veth") } }
    }
}

@Suite struct EdgeDatapathTests {
    @Test func twoPodsOnOneBridgeReachEachOtherAndTheGateway() throws {
        let fixture = try DatapathFixture("dpnode")
        let podA = try TestNamespace("poda"), podB = try TestNamespace("podb")
        let a = try fixture.datapath.setUp(fixture.spec(podA, host: 2), on: fixture.bridge)
        let bridgeMAC = try fixture.nodeSocket.link(named: "cni0").mac
        let b = try fixture.datapath.setUp(fixture.spec(podB, host: 3), on: fixture.bridge)

        #expect(a.containerName == "eth0" && a.sandbox == podA.path)
        #expect(a.hostName == EdgeDatapath.hostInterfaceName(containerID: "container-\(podA.name)", ifName: "eth0"))
        #expect(a.hostName.utf8.count == 15 && a.hostName != b.hostName)
        let bridge = try fixture.nodeSocket.link(named: "cni0")
        let hostA = try fixture.nodeSocket.link(named: a.hostName)
        #expect(hostA.masterIndex == bridge.index && hostA.isUp && hostA.mac == a.hostMAC)
        #expect(try fixture.node.exec(["ip", "-d", "link", "show", a.hostName]).stdout.contains("hairpin on"))
        #expect(try podA.exec(["ip", "link", "show", "eth0"]).stdout.contains(a.containerMAC.description))
        #expect(try fixture.node.exec(["sysctl", "-n", "net.ipv4.ip_forward"]).stdout.hasPrefix("1"))

        for (from, to) in [(podA, "10.77.0.3"), (podB, "10.77.0.2"), (podA, "10.77.0.1"), (podB, "fd77::2"), (podA, "fd77::1")] {
            try from.exec(["ping", "-c", "1", "-W", "2", to])
        }
        try fixture.datapath.check(fixture.spec(podA, host: 2), on: fixture.bridge)
        try fixture.datapath.check(fixture.spec(podB, host: 3), on: fixture.bridge)

        try fixture.datapath.tearDown(containerID: "container-\(podA.name)", ifName: "eth0")
        #expect(try !podA.exec(["ip", "link"]).stdout.contains("eth0"))
        #expect(try fixture.vethNames == [b.hostName])
        try podB.exec(["ping", "-c", "1", "-W", "2", "10.77.0.1"])
        // The gateway's MAC does not follow the ports.
        #expect(try fixture.nodeSocket.link(named: "cni0").mac == bridgeMAC)
    }

    @Test func tearDownIsIdempotent() throws {
        let fixture = try DatapathFixture("dpdel")
        let pod = try TestNamespace("poddel")
        let spec = fixture.spec(pod, host: 4)
        _ = try fixture.datapath.setUp(spec, on: fixture.bridge)
        for _ in 0..<2 {
            try fixture.datapath.tearDown(containerID: spec.containerID, ifName: "eth0")
        }
        #expect(try fixture.vethNames.isEmpty)
        // Namespace gone (and the pair with it), never-seen container: both success.
        _ = try fixture.datapath.setUp(spec, on: fixture.bridge)
        pod.delete()
        try fixture.datapath.tearDown(containerID: spec.containerID, ifName: "eth0")
        try fixture.datapath.tearDown(containerID: "never-added", ifName: "eth0")
        #expect(try fixture.vethNames.isEmpty)
    }

    @Test func checkDetectsDrift() throws {
        let fixture = try DatapathFixture("dpchk")
        let pod = try TestNamespace("podchk")
        let spec = fixture.spec(pod, host: 5)
        let built = try fixture.datapath.setUp(spec, on: fixture.bridge)
        try fixture.datapath.check(spec, on: fixture.bridge)

        try pod.exec(["ip", "route", "del", "default", "via", "10.77.0.1"])
        #expect(drift(fixture, spec).contains("route 0.0.0.0/0 via 10.77.0.1"))
        try pod.exec(["ip", "route", "add", "default", "via", "10.77.0.1"])
        try fixture.datapath.check(spec, on: fixture.bridge)

        try pod.exec(["ip", "addr", "del", "fd77::5/64", "dev", "eth0"])
        #expect(drift(fixture, spec).contains("address fd77::5/64"))
        try pod.exec(["ip", "addr", "add", "fd77::5/64", "dev", "eth0", "nodad"])

        try fixture.node.exec(["ip", "link", "set", built.hostName, "type", "bridge_slave", "hairpin", "off"])
        #expect(drift(fixture, spec).contains("hairpin is off"))
        try fixture.node.exec(["ip", "link", "set", built.hostName, "type", "bridge_slave", "hairpin", "on"])
        try fixture.datapath.check(spec, on: fixture.bridge)

        try fixture.node.exec(["ip", "link", "set", built.hostName, "nomaster"])
        #expect(drift(fixture, spec).contains("not attached to cni0"))
        try fixture.node.exec(["ip", "link", "set", built.hostName, "master", "cni0"])

        try pod.exec(["ip", "link", "del", "eth0"])
        #expect(drift(fixture, spec).contains("missing"))
    }

    private func drift(_ fixture: DatapathFixture, _ spec: PodInterfaceSpec) -> String {
        do {
            try fixture.datapath.check(spec, on: fixture.bridge)
            return "no drift reported"
        } catch {
            guard case .drift(let what) = error else { return "unexpected \(error)" }
            return what
        }
    }

    @Test func badNamespacePathsAreTheirOwnErrorsAndChangeNothing() throws {
        let fixture = try DatapathFixture("dpbad")
        let directory = try TemporaryDirectory()
        try directory.write("file", "x")
        var spec = fixture.spec(try TestNamespace("podbad"), host: 6)
        spec.netnsPath = directory.file("file")
        #expect { try fixture.datapath.setUp(spec, on: fixture.bridge) } throws: {
            if case .notANetworkNamespace(let path) = $0 as? DatapathError { path == directory.file("file") } else { false }
        }
        spec.netnsPath = "/proc/self/ns/uts"
        #expect { try fixture.datapath.setUp(spec, on: fixture.bridge) } throws: {
            if case .notANetworkNamespace = $0 as? DatapathError { true } else { false }
        }
        spec.netnsPath = directory.file("absent")
        #expect { try fixture.datapath.setUp(spec, on: fixture.bridge) } throws: {
            if case .namespaceMissing = $0 as? DatapathError { true } else { false }
        }
        #expect(try !fixture.nodeSocket.listLinks().contains { $0.name == "cni0" || $0.name.hasPrefix("veth") })
    }

    @Test func failedSetUpRollsBack() throws {
        let fixture = try DatapathFixture("dprb")
        let pod = try TestNamespace("podrb")
        var spec = fixture.spec(pod, host: 7)
        spec.routes.append(PodRoute(destination: IPPrefix("10.200.0.0/16")!, gateway: IPAddress("192.0.2.1")))
        #expect { try fixture.datapath.setUp(spec, on: fixture.bridge) } throws: {
            guard case .netlink(let error) = $0 as? DatapathError, case .kernel(let failure) = error else { return false }
            return failure.errno == ENETUNREACH && failure.operation == "addRoute"
        }
        #expect(try fixture.vethNames.isEmpty)
        #expect(try !pod.exec(["ip", "link"]).stdout.contains("eth0"))
        // The same pod sets up cleanly afterwards.
        spec.routes.removeLast()
        _ = try fixture.datapath.setUp(spec, on: fixture.bridge)
    }

    @Test func invalidSpecsAreRefusedBeforeAnyChange() throws {
        let fixture = try DatapathFixture("dpinv")
        let pod = try TestNamespace("podinv")
        var spec = fixture.spec(pod, host: 8)
        spec.ifName = "much-too-long-name"
        #expect(throws: DatapathError.self) { try fixture.datapath.setUp(spec, on: fixture.bridge) }
        spec.ifName = "eth/0"
        #expect(throws: DatapathError.self) { try fixture.datapath.setUp(spec, on: fixture.bridge) }
        // The CNI dispatcher's rule (NetworkCore's LinkName): Unicode whitespace is refused here too.
        spec.ifName = "eth\u{A0}0"
        #expect { try fixture.datapath.setUp(spec, on: fixture.bridge) } throws: {
            if case .invalidSpec(let why) = $0 as? DatapathError { why.contains("whitespace") } else { false }
        }
        spec.ifName = "eth0"
        spec.netnsPath = "relative/ns"
        #expect { try fixture.datapath.setUp(spec, on: fixture.bridge) } throws: {
            if case .invalidSpec(let why) = $0 as? DatapathError { why.contains("not an absolute path") } else { false }
        }
        spec.netnsPath = pod.path
        spec.ifName = "eth0"
        spec.mtu = 20
        #expect(throws: DatapathError.self) { try fixture.datapath.setUp(spec, on: fixture.bridge) }
        #expect(try !fixture.nodeSocket.listLinks().contains { $0.name == "cni0" })

        var notBridge = fixture.bridge
        notBridge.name = "lo"
        spec.mtu = 1500
        #expect { try fixture.datapath.setUp(spec, on: notBridge) } throws: {
            if case .invalidSpec(let why) = $0 as? DatapathError { why.contains("not a bridge") } else { false }
        }
    }

    @Test func ensureBridgeIsIdempotentAndRepairs() throws {
        let fixture = try DatapathFixture("dpbr")
        let index = try fixture.datapath.ensureBridge(fixture.bridge).index
        #expect(try fixture.datapath.ensureBridge(fixture.bridge).index == index)
        try fixture.node.exec(["ip", "link", "set", "cni0", "down"])
        try fixture.node.exec(["ip", "addr", "del", "10.77.0.1/24", "dev", "cni0"])
        #expect(try fixture.datapath.ensureBridge(fixture.bridge).index == index)
        let bridge = try fixture.nodeSocket.link(named: "cni0")
        #expect(bridge.isUp && bridge.kind == "bridge")
        let addresses = try fixture.nodeSocket.listAddresses(index: index).map(\.address)
        #expect(Set(addresses).isSuperset(of: fixture.bridge.gatewayAddresses))
        #expect(try fixture.node.exec(["sysctl", "-n", "net.ipv6.conf.all.forwarding"]).stdout.hasPrefix("1"))
    }

    @Test func hostNamesAreStableAndShort() {
        let a = EdgeDatapath.hostInterfaceName(containerID: "abc", ifName: "eth0")
        #expect(a == EdgeDatapath.hostInterfaceName(containerID: "abc", ifName: "eth0"))
        #expect(a != EdgeDatapath.hostInterfaceName(containerID: "abc", ifName: "eth1"))
        #expect(a.hasPrefix("veth") && a.utf8.count == 15)
    }
}
