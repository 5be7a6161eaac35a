import CNIProtocol
import Foundation
import Lab
import Netlink
import SubnetStore
import Testing
import TestSupport

/// Issue 23's Node watch, one scenario for the agent in-process and for the `terway-edged`
/// process: node edge-1 (172.16.1.20, podCIDR 10.0.1.0/24) on a segment with edge Nodes
/// edge-2 and edge-3 and a cloud Node, on the loopback API server (HTTPS, a bearer token).
/// `run` then adds, changes and deletes Nodes, compacts the history (410) and restarts the
/// API server, checking after each step the routes in the node and at the end that the
/// kernel deleted no route of a surviving peer.
final class NodeWatchScenario: @unchecked Sendable {
    static let edge = ["alibabacloud.com/is-edge-worker": "true"]

    let node: TestNamespace
    let segment: TestNamespace
    let directory: TemporaryDirectory
    let certificates: TestCertificates
    let server: KubernetesAPIServer
    private let monitor: NetlinkMonitor

    /// The agent's files (subnet file, control socket) in the scenario's folder.
    var files: EdgeNodeFiles { EdgeNodeFiles(folder: directory.path) }
    /// The agent's `store:`.
    var storeURL: String { "\(server.url)?ca=\(certificates.caFile)&token=\(directory.file("token"))&heartbeat=5" }

    /// `serverInNode`: the API server listens on the node namespace's loopback, where a
    /// process in the node reaches it; otherwise on the test process's.
    init(serverInNode: Bool) async throws {
        node = try TestNamespace("k8n")
        segment = try TestNamespace("k8ns")
        try node.link(to: segment, localName: "v0", remoteName: "v1", localAddresses: ["172.16.1.20/24"],
                      remoteAddresses: ["172.16.1.1/24"])
        directory = try TemporaryDirectory("te-k8sagent")
        let token = "eyJhbGciOiJSUzI1NiJ9.te-agent-\(UInt32.random(in: 0...UInt32.max))"
        try directory.write("token", token)
        certificates = try TestCertificates()
        server = try await KubernetesAPIServer(token: token, certificates: certificates, in: serverInNode ? node : nil)
        server.addNode("edge-1", podCIDRs: ["10.0.1.0/24"], internalIP: "172.16.1.20", labels: Self.edge)
        server.addNode("edge-2", podCIDRs: ["10.0.2.0/24"], internalIP: "172.16.1.22", labels: Self.edge)
        server.addNode("edge-3", podCIDRs: ["10.0.3.0/24"], internalIP: "172.16.1.23", labels: Self.edge)
        // A cloud node: its pods live on VPC addresses, no route to it.
        server.addNode("cloud-1", podCIDRs: ["10.0.9.0/24"], internalIP: "172.16.1.9")
        monitor = try NetworkNamespace(path: node.path).openNetlinkMonitor(groups: [.ipv4Route])
    }

    /// The host routes of our protocol in the node namespace, by destination.
    func routes() throws -> Set<String> {
        Set(try node.exec(["ip", "route", "show", "proto", "207"]).stdout.split(separator: "\n")
            .map { String($0.split(separator: " ")[0]) })
    }

    func waitFor(_ wanted: Set<String>, _ what: String, diagnostics: () -> String = { "" }) async throws {
        let clock = ContinuousClock(), start = clock.now
        while clock.now - start < .seconds(15) {
            if try routes() == wanted { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(what): routes \(try routes().sorted()), wanted \(wanted.sorted())\n\(diagnostics())")
    }

    /// Polls `condition` for up to 10 s.
    private func poll(until condition: () -> Bool) async throws {
        let clock = ContinuousClock(), start = clock.now
        while !condition() && clock.now - start < .seconds(10) { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// The scenario, once an agent for edge-1 runs; `diagnostics` (the agent's log) goes
    /// with a failure to reach the first routes.
    func run(diagnostics: () -> String = { "" }) async throws {
        try await waitFor(["10.0.2.0/24", "10.0.3.0/24"], "the first list", diagnostics: diagnostics)
        // Flannel's condition, once the routes are in place, through the status subresource.
        try await poll { server.condition("edge-1", "NetworkUnavailable") != nil }
        let condition = server.condition("edge-1", "NetworkUnavailable")
        // The node's own subnet is its Node's podCIDR, in the lease annotation and the subnet file.
        let path = files.subnetFile
        let file = try SubnetFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path)
        #expect(file.subnets.map(\.description) == ["10.0.1.0/24"])
        #expect(server.annotation("edge-1", KubernetesLeaseStore.annotation) != nil)
        #expect(condition?["status"] == "False" && condition?["reason"] == "TerwayEdgeIsUp", "\(String(describing: condition))")
        #expect(server.condition("edge-1", "Ready")?["status"] == "True", "the kubelet's conditions stay")
        #expect(server.requests.contains("PATCH /api/v1/nodes/edge-1/status"))
        // Another controller marks the network unavailable: the agent, watching its own Node, sets
        // it back. (Its watch opens after its first PATCH: a change before it comes by the list.)
        let ownWatch = { [server] in server.requests.contains { $0.hasPrefix("GET /api/v1/nodes?watch=1") && $0.contains("fieldSelector=metadata.name%3Dedge-1") } }
        try await poll(until: ownWatch)
        #expect(ownWatch())
        server.setCondition("edge-1", "NetworkUnavailable", status: "True", reason: "NoRouteCreated")
        try await poll { server.condition("edge-1", "NetworkUnavailable")?["status"] == "False" }
        #expect(server.condition("edge-1", "NetworkUnavailable")?["reason"] == "TerwayEdgeIsUp")
        #expect(server.requests.contains { $0.hasPrefix("GET /api/v1/nodes?watch=1") && $0.contains("labelSelector=alibabacloud.com%2Fis-edge-worker%3Dtrue") },
                "the watch is limited to edge Nodes: \(server.requests)")

        server.addNode("edge-4", podCIDRs: ["10.0.4.0/24"], internalIP: "172.16.1.24", labels: Self.edge)
        try await waitFor(["10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24"], "a Node added")
        server.setPodCIDRs("edge-4", ["10.0.5.0/24"])
        try await waitFor(["10.0.2.0/24", "10.0.3.0/24", "10.0.5.0/24"], "podCIDRs changed")
        server.deleteNode("edge-3")
        try await waitFor(["10.0.2.0/24", "10.0.5.0/24"], "a Node deleted")

        // 410 Gone on the open watch, after a Node the watch never carried: the re-list adds it
        // and keeps the others' routes as they are.
        server.addNodeUnseen("edge-6", podCIDRs: ["10.0.6.0/24"], internalIP: "172.16.1.26", labels: Self.edge)
        server.compactHistory(notify: true)
        try await waitFor(["10.0.2.0/24", "10.0.5.0/24", "10.0.6.0/24"], "the re-list after 410")

        // The API server restarts: while it is away every route stays; a Node deleted meanwhile
        // goes when the watch resumes, a Node added after it comes.
        await server.stop()
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try routes() == ["10.0.2.0/24", "10.0.5.0/24", "10.0.6.0/24"], "routes stay while the API server is away")
        server.deleteNode("edge-6")
        try await server.start()
        server.addNode("edge-7", podCIDRs: ["10.0.7.0/24"], internalIP: "172.16.1.27", labels: Self.edge)
        try await waitFor(["10.0.2.0/24", "10.0.5.0/24", "10.0.7.0/24"], "after the restart")

        // The kernel saw deletions only of routes that were no longer wanted.
        var deleted: [String] = []
        while let event = try monitor.next(timeout: .milliseconds(300)) {
            if case .route(let route, removed: true) = event, route.protocolID == 207 { deleted.append(route.destination.description) }
        }
        #expect(deleted.sorted() == ["10.0.3.0/24", "10.0.4.0/24", "10.0.6.0/24"], "route deletions: \(deleted)")
    }
}
