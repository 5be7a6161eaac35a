import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SubnetStore

/// Holds the node's lease: acquires it (IPv4 and, where the plan has one, IPv6), renews it
/// at a third of its TTL, and acquires it again after an expiry (the store gives the same
/// subnets back while nobody took them). Publishes the lease for the other services; nil
/// while the node holds none. Never releases: a restarted agent takes its own lease back,
/// and only `terway-edged --cleanup` gives it up.
public struct LeaseService: Service {
    let store: any LeaseStore
    let request: LeaseRequest
    let lease: Broadcast<Lease?>
    let readiness: Readiness?
    let logger: Logger
    /// How long to wait before trying again after a store failure.
    let retryDelay: Duration
    /// Set when the node leaves: the lease was released, nothing is renewed or acquired.
    let leaving: @Sendable () -> Bool

    public init(store: any LeaseStore, request: LeaseRequest, lease: Broadcast<Lease?>, readiness: Readiness? = nil,
                logger: Logger, retryDelay: Duration = .seconds(2), leaving: @escaping @Sendable () -> Bool = { false }) {
        self.leaving = leaving
        self.store = store
        self.request = request
        self.lease = lease
        self.readiness = readiness
        self.logger = logger
        self.retryDelay = retryDelay
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await hold() }
        } catch is CancellationError {
            // Shutdown: the lease stays in the store for the next run.
        }
        if let held = lease.value, !leaving() {
            logger.info("lease kept", metadata: ["subnets": "\(held.subnets.map(\.description).joined(separator: ","))",
                                                 "expiresAt": "\(RecordTimestamp.format(held.expiresAt))"])
        }
        lease.finish()
    }

    private func hold() async throws {
        var current: Lease?
        while !leaving() {
            try Task.checkCancellation()
            do {
                let next: Lease
                if let held = current, !held.isExpired(at: Date()) {
                    next = try await renewOrAcquire(held)
                } else {
                    next = try await store.acquire(request)
                    logger.info("lease acquired", metadata: Self.metadata(next, previous: current))
                }
                current = next
                AgentMetrics.leaseExpiry.record(next.expiresAt.timeIntervalSince1970)
                lease.publish(next)
                readiness?.set("lease", true)
                try await Task.sleep(for: request.ttl / 3)
            } catch let error as LeaseStoreError {
                AgentMetrics.reconcileErrors("lease").increment()
                logger.warning("lease store failed", metadata: ["error": "\(error)", "retryIn": "\(retryDelay)"])
                if let held = current, held.isExpired(at: Date()) {
                    logger.error("lease expired", metadata: Self.metadata(held, previous: nil))
                    current = nil
                    lease.publish(nil)
                    AgentMetrics.leaseExpiry.record(0)
                    readiness?.set("lease", false)
                }
                try await Task.sleep(for: retryDelay)
            }
        }
        // Left: nothing more to hold; the group is being stopped.
        try await gracefulShutdown()
    }

    /// A renewal; after an expiry the store refuses it and the lease is acquired again.
    private func renewOrAcquire(_ held: Lease) async throws -> Lease {
        do {
            let renewed = try await store.renew(node: request.node, ttl: request.ttl, owner: request.owner)
            logger.debug("lease renewed", metadata: Self.metadata(renewed, previous: nil))
            return renewed
        } catch LeaseStoreError.leaseExpired, LeaseStoreError.notFound {
            // Released by `leave` while this renewal was on its way: do not take it back.
            guard !leaving() else { return held }
            let again = try await store.acquire(request)
            logger.warning("lease acquired again after it lapsed", metadata: Self.metadata(again, previous: held))
            return again
        }
    }

    static func metadata(_ lease: Lease, previous: Lease?) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "node": "\(lease.node)",
            "subnets": "\(lease.subnets.map(\.description).joined(separator: ","))",
            "expiresAt": "\(RecordTimestamp.format(lease.expiresAt))",
        ]
        if let previous, previous.subnets != lease.subnets {
            metadata["previous"] = "\(previous.subnets.map(\.description).joined(separator: ","))"
        }
        return metadata
    }
}
