import Agent
import CNIProtocol
import Foundation
import Logging
import Netlink
import NetworkCore
import RouteSync
import ServiceLifecycle
import SubnetStore
import Testing
import TestSupport

/// Issue 23: the agent with `store: kubernetes://`: its subnet from its Node's podCIDRs,
/// peer routes from a watch of the edge Nodes (podCIDRs, InternalIP) in a `te-` node
/// namespace, against the loopback API server, and the Node's `NetworkUnavailable`
/// condition set once the lease, subnet file and routes are in place.
@Suite struct KubernetesModeTests {
    static let edge = ["alibabacloud.com/is-edge-worker": "true"]

    /// The host routes of our protocol in the node namespace, by destination.
    static func routes(_ namespace: TestNamespace) throws -> Set<String> {
        Set(try namespace.exec(["ip", "route", "show", "proto", "207"]).stdout.split(separator: "\n")
            .map { String($0.split(separator: " ")[0]) })
    }

    static func waitFor(_ wanted: Set<String>, in namespace: TestNamespace, _ what: String) async throws {
        let clock = ContinuousClock(), start = clock.now
        while clock.now - start < .seconds(15) {
            if try routes(namespace) == wanted { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(what): routes \(try routes(namespace).sorted()), wanted \(wanted.sorted())")
    }

    @Test func nodeRoutesFollowTheNodesThroughGoneAndARestartWithoutDroppingAny() async throws {
        // The node (edge-1 on 172.16.1.20) and its segment, where the other nodes' addresses live.
        let node = try TestNamespace("k8n")
        let segment = try TestNamespace("k8ns")
        try node.link(to: segment, localName: "v0", remoteName: "v1", localAddresses: ["172.16.1.20/24"],
                      remoteAddresses: ["172.16.1.1/24"])

        let directory = try TemporaryDirectory("te-k8sagent")
        let token = "eyJhbGciOiJSUzI1NiJ9.te-agent-\(UInt32.random(in: 0...UInt32.max))"
        try directory.write("token", token)
        let certificates = try TestCertificates()
        let server = try await KubernetesAPIServer(token: token, certificates: certificates)
        server.addNode("edge-1", podCIDRs: ["10.0.1.0/24"], internalIP: "172.16.1.20", labels: Self.edge)
        server.addNode("edge-2", podCIDRs: ["10.0.2.0/24"], internalIP: "172.16.1.22", labels: Self.edge)
        server.addNode("edge-3", podCIDRs: ["10.0.3.0/24"], internalIP: "172.16.1.23", labels: Self.edge)
        // A cloud node: its pods live on VPC addresses, no route to it.
        server.addNode("cloud-1", podCIDRs: ["10.0.9.0/24"], internalIP: "172.16.1.9")
        let store = try await LeaseStoreFactory.open(
            url: "\(server.url)?ca=\(certificates.caFile)&token=\(directory.file("token"))&heartbeat=5", options: LeaseStoreOptions())
        let client = try #require(store as? KubernetesLeaseStore).client

        let namespace = try NetworkNamespace(path: node.path)
        let monitor = try namespace.openNetlinkMonitor(groups: [.ipv4Route])
        let writer = try RouteWriter(config: RouteSyncConfig(resyncInterval: .seconds(30)), namespace: namespace, log: { print("writer: \($0)") })
        _ = try await writer.start()
        let logger = Logger(label: "test")
        let readiness = Readiness(["lease", "subnetFile", "routes"])
        let lease = Broadcast<Lease?>(nil)
        let scope = PeerScope(node: "edge-1", podCIDRs: [IPPrefix("10.0.0.0/16")!, IPPrefix("fd00:a::/48")!])
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            LeaseService(store: store, request: LeaseRequest(node: "edge-1", nodeAddress: IPAddress("172.16.1.20")!, ttl: .seconds(60)),
                         lease: lease, readiness: readiness, logger: logger, retryDelay: .milliseconds(100)),
            SubnetFileService(path: directory.file("subnet.json"), lease: lease, readiness: readiness, logger: logger),
            PeerRouteService(source: NodePeerSource(client: client, scope: scope), writer: writer, readiness: readiness,
                             logger: logger, retryDelay: .milliseconds(100)),
            NetworkConditionService(client: client, node: "edge-1", readiness: readiness, logger: logger, retryDelay: .milliseconds(100)),
        ], logger: logger))
        let running = Task { try await group.run() }

        try await Self.waitFor(["10.0.2.0/24", "10.0.3.0/24"], in: node, "the first list")
        // Flannel's condition, once the routes are in place, through the status subresource.
        let clock = ContinuousClock(), start = clock.now
        while server.condition("edge-1", "NetworkUnavailable") == nil && clock.now - start < .seconds(10) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let condition = server.condition("edge-1", "NetworkUnavailable")
        // The node's own subnet is its Node's podCIDR, in the lease annotation and the subnet file.
        let file = try SubnetFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: directory.file("subnet.json")))), path: "subnet.json")
        #expect(file.subnets.map(\.description) == ["10.0.1.0/24"])
        #expect(server.annotation("edge-1", KubernetesLeaseStore.annotation) != nil)
        #expect(condition?["status"] == "False" && condition?["reason"] == "TerwayEdgeIsUp", "\(String(describing: condition))")
        #expect(server.condition("edge-1", "Ready")?["status"] == "True", "the kubelet's conditions stay")
        #expect(server.requests.contains("PATCH /api/v1/nodes/edge-1/status"))
        // Another controller marks the network unavailable: the agent, watching its own Node, sets it back.
        server.setCondition("edge-1", "NetworkUnavailable", status: "True", reason: "NoRouteCreated")
        let marked = clock.now
        while server.condition("edge-1", "NetworkUnavailable")?["status"] != "False" && clock.now - marked < .seconds(10) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(server.condition("edge-1", "NetworkUnavailable")?["reason"] == "TerwayEdgeIsUp")
        #expect(server.requests.contains { $0.hasPrefix("GET /api/v1/nodes?watch=1") && $0.contains("fieldSelector=metadata.name%3Dedge-1") })
        #expect(server.requests.contains { $0.hasPrefix("GET /api/v1/nodes?watch=1") && $0.contains("labelSelector=alibabacloud.com%2Fis-edge-worker%3Dtrue") },
                "the watch is limited to edge Nodes: \(server.requests)")

        server.addNode("edge-4", podCIDRs: ["10.0.4.0/24"], internalIP: "172.16.1.24", labels: Self.edge)
        try await Self.waitFor(["10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24"], in: node, "a Node added")
        server.setPodCIDRs("edge-4", ["10.0.5.0/24"])
        try await Self.waitFor(["10.0.2.0/24", "10.0.3.0/24", "10.0.5.0/24"], in: node, "podCIDRs changed")
        server.deleteNode("edge-3")
        try await Self.waitFor(["10.0.2.0/24", "10.0.5.0/24"], in: node, "a Node deleted")

        // 410 Gone on the open watch, after a Node the watch never carried: the re-list adds it
        // and keeps the others' routes as they are.
        server.addNodeUnseen("edge-6", podCIDRs: ["10.0.6.0/24"], internalIP: "172.16.1.26", labels: Self.edge)
        server.compactHistory(notify: true)
        try await Self.waitFor(["10.0.2.0/24", "10.0.5.0/24", "10.0.6.0/24"], in: node, "the re-list after 410")

        // The API server restarts: while it is away every route stays; a Node deleted meanwhile
        // goes when the watch resumes, a Node added after it comes.
        await server.stop()
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try Self.routes(node) == ["10.0.2.0/24", "10.0.5.0/24", "10.0.6.0/24"], "routes stay while the API server is away")
        server.deleteNode("edge-6")
        try await server.start()
        server.addNode("edge-7", podCIDRs: ["10.0.7.0/24"], internalIP: "172.16.1.27", labels: Self.edge)
        try await Self.waitFor(["10.0.2.0/24", "10.0.5.0/24", "10.0.7.0/24"], in: node, "after the restart")

        // The kernel saw deletions only of routes that were no longer wanted.
        var deleted: [String] = []
        while let event = try monitor.next(timeout: .milliseconds(300)) {
            if case .route(let route, removed: true) = event, route.protocolID == 207 { deleted.append(route.destination.description) }
        }
        #expect(deleted.sorted() == ["10.0.3.0/24", "10.0.4.0/24", "10.0.6.0/24"], "route deletions: \(deleted)")

        await group.triggerGracefulShutdown()
        try await running.value
        writer.stop()
        await store.close()
        await server.stop()
    }

    /// The node's own Node deleted and registered again with another podCIDR (podCIDRs are
    /// immutable, so that is how they change): the lease and the subnet file follow.
    @Test func theOwnNodeRegisteredAgainWithAnotherPodCIDRMovesTheSubnetFile() async throws {
        let directory = try TemporaryDirectory("te-k8sown")
        let token = "eyJhbGciOiJSUzI1NiJ9.te-own-\(UInt32.random(in: 0...UInt32.max))"
        try directory.write("token", token)
        let certificates = try TestCertificates()
        let server = try await KubernetesAPIServer(token: token, certificates: certificates)
        server.addNode("edge-1", podCIDRs: ["10.0.1.0/24"], internalIP: "172.16.1.20", labels: Self.edge)
        let store = try await LeaseStoreFactory.open(
            url: "\(server.url)?ca=\(certificates.caFile)&token=\(directory.file("token"))", options: LeaseStoreOptions())
        let logger = Logger(label: "test")
        let lease = Broadcast<Lease?>(nil)
        let path = directory.file("subnet.json")
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            LeaseService(store: store, request: LeaseRequest(node: "edge-1", nodeAddress: IPAddress("172.16.1.20")!, ttl: .seconds(3)),
                         lease: lease, logger: logger, retryDelay: .milliseconds(100)),
            SubnetFileService(path: path, lease: lease, logger: logger),
        ], logger: logger))
        let running = Task { try await group.run() }
        func subnets() -> [String] {
            (try? SubnetFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path).subnets.map(\.description)) ?? []
        }
        func wait(for wanted: [String]) async throws -> Bool {
            let clock = ContinuousClock(), start = clock.now
            while clock.now - start < .seconds(15) {
                if subnets() == wanted { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        #expect(try await wait(for: ["10.0.1.0/24"]))
        server.deleteNode("edge-1")
        try await Task.sleep(for: .milliseconds(1500))
        #expect(subnets() == ["10.0.1.0/24"], "the file stays while the Node is away: running pods keep their addresses")
        server.addNode("edge-1", podCIDRs: ["10.0.8.0/24"], internalIP: "172.16.1.20", labels: Self.edge)
        #expect(try await wait(for: ["10.0.8.0/24"]), "subnet file: \(subnets())")
        #expect(lease.value?.subnets.map(\.description) == ["10.0.8.0/24"])
        await group.triggerGracefulShutdown()
        try await running.value
        await store.close()
        await server.stop()
    }
}
