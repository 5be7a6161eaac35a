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
    static let edge = NodeWatchScenario.edge

    @Test func nodeRoutesFollowTheNodesThroughGoneAndARestartWithoutDroppingAny() async throws {
        let scenario = try await NodeWatchScenario(serverInNode: false)
        let server = scenario.server
        let store = try await LeaseStoreFactory.open(url: scenario.storeURL, options: LeaseStoreOptions())
        let client = try #require(store as? KubernetesLeaseStore).client
        let writer = try RouteWriter(config: RouteSyncConfig(resyncInterval: .seconds(30)), namespace: try NetworkNamespace(path: scenario.node.path),
                                     log: { print("writer: \($0)") })
        _ = try await writer.start()
        let logger = Logger(label: "test")
        let readiness = Readiness(["lease", "subnetFile", "routes"])
        let lease = Broadcast<Lease?>(nil)
        let scope = PeerScope(node: "edge-1", podCIDRs: [IPPrefix("10.0.0.0/16")!, IPPrefix("fd00:a::/48")!])
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            LeaseService(store: store, request: LeaseRequest(node: "edge-1", nodeAddress: IPAddress("172.16.1.20")!, ttl: .seconds(60)),
                         lease: lease, readiness: readiness, logger: logger, retryDelay: .milliseconds(100)),
            SubnetFileService(path: scenario.files.subnetFile, lease: lease, readiness: readiness, logger: logger),
            PeerRouteService(source: NodePeerSource(client: client, scope: scope), writer: writer, readiness: readiness,
                             logger: logger, retryDelay: .milliseconds(100)),
            NetworkConditionService(client: client, node: "edge-1", readiness: readiness, logger: logger, retryDelay: .milliseconds(100)),
        ], logger: logger))
        let running = Task { try await group.run() }

        try await scenario.run()

        await group.triggerGracefulShutdown()
        try await running.value
        writer.stop()
        await store.close()
        await server.stop()
    }

    /// The same scenario with `terway-edged` itself as a process in the node namespace (the
    /// API server listening on that namespace's loopback), configured as the DaemonSet's agent
    /// is: `store: kubernetes://`, the plan, its node name.
    @Test func theAgentProcessFollowsTheNodesThroughGoneAndARestartWithoutDroppingAny() async throws {
        let scenario = try await NodeWatchScenario(serverInNode: true)
        let directory = scenario.directory
        try directory.write("plan.yaml", AgentFixture.plan)
        try directory.write("agent.yaml", scenario.files.agentConfig(plan: directory.file("plan.yaml"), node: "edge-1",
                                                                     address: "172.16.1.20", store: scenario.storeURL))
        let agent = try scenario.node.spawn([try builtExecutable("terway-edged"), "--config", directory.file("agent.yaml")],
                                            logFile: directory.file("agent.log"))
        defer { agent.terminate() }

        let log = { (try? String(contentsOfFile: directory.file("agent.log"), encoding: .utf8)) ?? "" }
        try await scenario.run(diagnostics: log)

        #expect(agent.isRunning, "\(log())")
        let ready = try scenario.node.exec(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9464/readyz"], check: false)
        #expect(ready.stdout == "200", "/readyz: \(ready.stdout)")
        agent.terminate()
        #expect(agent.terminationStatus == 0, "\(log())")
        // SIGTERM leaves the routes in place: pods keep forwarding.
        #expect(try scenario.routes() == ["10.0.2.0/24", "10.0.5.0/24", "10.0.7.0/24"])
        await scenario.server.stop()
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
