import Foundation
import Logging
import ServiceLifecycle
import SubnetStore

/// Kubernetes mode: tells the cluster that the node's pod network is up, as flannel does.
/// Once the agent is ready (lease held, subnet file written, peer routes programmed) it
/// sets the Node's `NetworkUnavailable` condition to False (reason `TerwayEdgeIsUp`) with a
/// strategic merge patch of the Node's status, retrying until the API server takes it.
/// Then it watches its own Node (`fieldSelector=metadata.name=NODE`) and sets it again
/// whenever the Node says otherwise: registered anew, or a controller marked it True.
/// The condition is left as it is at a stop: routes and pods keep working meanwhile.
public struct NetworkConditionService: Service {
    let client: KubernetesClient
    let node: String
    let readiness: Readiness
    let logger: Logger
    let retryDelay: Duration

    static let condition = KubernetesNodeCondition.networkAvailable

    public init(client: KubernetesClient, node: String, readiness: Readiness, logger: Logger, retryDelay: Duration = .seconds(2)) {
        self.client = client
        self.node = node
        self.readiness = readiness
        self.logger = logger
        self.retryDelay = retryDelay
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await keepSet() }
        } catch is CancellationError {
            // Shutdown: the condition stays as it is.
        }
    }

    private func keepSet() async throws {
        while !readiness.unmet.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        try await set()
        let reflector = KubernetesNodeReflector(client: client, query: KubernetesNodeQuery(fieldSelector: "metadata.name=\(node)"),
                                                report: { [logger] report in logger.warning("node: \(report)") })
        let list = try await retrying("listing the Node") { try await reflector.list() }
        if list.items.contains(where: needsSetting) { try await set() }
        await reflector.run(from: list.resourceVersion) { change in
            switch change {
            case .listed(let nodes): if nodes.contains(where: needsSetting) { try? await set() }
            case .updated(let node): if needsSetting(node) { try? await set() }
            case .deleted: break   // the kubelet registers it again; the condition is set then
            }
        }
    }

    private func needsSetting(_ node: KubernetesNode) -> Bool {
        node.conditions[Self.condition.type] != Self.condition.status
    }

    private func set() async throws {
        let condition = Self.condition
        try await retrying("setting condition \(condition.type)") {
            try await client.patchNodeStatus(named: node, strategicMergePatch: condition.statusPatch(at: Date()))
        }
        logger.info("node: condition \(condition.type) set to \(condition.status)", metadata: ["reason": "\(condition.reason)"])
    }

    /// `body`, tried again after each failure until it succeeds or the task is cancelled.
    private func retrying<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        while true {
            do { return try await body() } catch {
                AgentMetrics.reconcileErrors("nodeCondition").increment()
                logger.warning("node: \(what) failed", metadata: ["error": "\(error)", "retryIn": "\(retryDelay)"])
                try await Task.sleep(for: retryDelay)
            }
        }
    }
}
