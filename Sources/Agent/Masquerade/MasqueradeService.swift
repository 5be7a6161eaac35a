import Foundation
import Logging
import Masquerade
import NetworkCore
import ServiceLifecycle
import SubnetStore

/// Pod traffic to destinations outside every cluster range of the plan leaves with the
/// node's address; traffic to a cluster range keeps the pod's. Our own nftables table,
/// applied as one transaction when the node's subnets change, and checked again every
/// `recheck` (a table deleted by hand comes back; an unchanged one is adopted, not
/// rewritten). Kept at shutdown; `--cleanup` removes it.
public struct MasqueradeService: Service {
    let masquerade: Masquerade
    let clusterRanges: [IPPrefix]
    let lease: Broadcast<Lease?>
    let recheck: Duration
    let logger: Logger

    public init(masquerade: Masquerade = Masquerade(), clusterRanges: [IPPrefix], lease: Broadcast<Lease?>,
                recheck: Duration, logger: Logger) {
        self.masquerade = masquerade
        self.clusterRanges = clusterRanges
        self.lease = lease
        self.recheck = recheck
        self.logger = logger
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await held in lease.updates() where !Task.isCancelled {
                    if let held { apply(rules(held)) }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: recheck)
                    if let held = lease.value, !Task.isCancelled { apply(rules(held)) }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    private func rules(_ lease: Lease) -> MasqueradeRules {
        MasqueradeRules(podSubnets: lease.subnets, clusterRanges: clusterRanges)
    }

    private func apply(_ rules: MasqueradeRules) {
        do {
            if try masquerade.apply(rules) {
                logger.info("masquerade: table \(MasqueradeRules.table) written", metadata: [
                    "pods": "\(rules.podSubnets.map(\.description).joined(separator: ","))", "rules": "\(rules.ruleLines.count)"])
            }
        } catch {
            AgentMetrics.reconcileErrors("masquerade").increment()
            logger.error("masquerade: applying the table failed", metadata: ["error": "\(error)"])
        }
    }
}
