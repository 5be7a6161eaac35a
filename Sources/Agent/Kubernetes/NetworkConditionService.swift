import Foundation
import Logging
import ServiceLifecycle
import SubnetStore

/// Kubernetes mode: tells the cluster that the node's pod network is up, as flannel does.
/// Once the agent is ready (lease held, subnet file written, peer routes programmed) it
/// sets the Node's `NetworkUnavailable` condition to False (reason `TerwayEdgeIsUp`) with a
/// strategic merge patch of the Node's status, retrying until the API server takes it;
/// then it waits for shutdown. The condition is left as it is at a stop: routes and pods
/// keep working while the agent restarts.
public struct NetworkConditionService: Service {
    let client: KubernetesClient
    let node: String
    let readiness: Readiness
    let logger: Logger
    let retryDelay: Duration

    public init(client: KubernetesClient, node: String, readiness: Readiness, logger: Logger, retryDelay: Duration = .seconds(2)) {
        self.client = client
        self.node = node
        self.readiness = readiness
        self.logger = logger
        self.retryDelay = retryDelay
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await setWhenReady()
                try await gracefulShutdown()
            }
        } catch is CancellationError {
            // Shutdown before or after the condition was set.
        }
    }

    private func setWhenReady() async throws {
        while !readiness.unmet.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        let condition = KubernetesNodeCondition.networkAvailable
        while true {
            do {
                try await client.patchNodeStatus(named: node, strategicMergePatch: condition.statusPatch(at: Date()))
                logger.info("node: condition \(condition.type) set to \(condition.status)", metadata: ["reason": "\(condition.reason)"])
                return
            } catch {
                AgentMetrics.reconcileErrors("nodeCondition").increment()
                logger.warning("node: setting condition \(condition.type) failed", metadata: ["error": "\(error)", "retryIn": "\(retryDelay)"])
                try await Task.sleep(for: retryDelay)
            }
        }
    }
}
