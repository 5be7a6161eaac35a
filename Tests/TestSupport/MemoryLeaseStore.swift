import Foundation
import SubnetStore

/// A `LeaseStore` in memory, for tests of layers above the stores (the agent, the CLI
/// wiring) that need leases without a file, etcd or an API server. It decides with the
/// same `LeasePlanner` as the real stores and streams the same events; it shares nothing
/// between processes.
public actor MemoryLeaseStore: LeaseStore {
    private let planner: LeasePlanner?
    private let clock: @Sendable () -> Date
    private var leases: [String: Lease] = [:]
    private var revision: UInt64 = 0
    private var watchState = LeaseWatchState()
    private var subscribers: [UUID: AsyncThrowingStream<LeaseEvent, any Error>.Continuation] = [:]
    private var isClosed = false

    /// Without pools the store can list, watch, renew and release but not acquire.
    public init(options: LeaseStoreOptions = LeaseStoreOptions()) throws(LeaseStoreError) {
        planner = options.pools.isEmpty ? nil : try LeasePlanner(pools: options.pools)
        clock = options.clock ?? { Date() }
    }

    public func acquire(_ request: LeaseRequest) async throws -> Lease {
        try checkOpen()
        guard let planner else { throw LeaseStoreError.badConfiguration("no cluster CIDR given") }
        // One process, one clock: a lease is reclaimable the moment it expires.
        let now = clock()
        let plan = try planner.plan(request, existing: Array(leases.values), now: now, expiredBefore: now)
        for lease in plan.reclaimed { leases[lease.node] = nil }
        return commit(plan.lease)
    }

    public func renew(node: String, ttl: Duration, owner: String) async throws -> Lease {
        try checkOpen()
        return commit(try LeasePlanner.renewal(of: node, ttl: ttl, owner: owner, existing: leases[node], now: clock()))
    }

    @discardableResult
    public func release(node: String) async throws -> Lease? {
        try checkOpen()
        guard let lease = leases.removeValue(forKey: node) else { return nil }
        publish()
        return lease
    }

    public func get(node: String) async throws -> Lease? {
        try checkOpen()
        return leases[node]
    }

    public func list() async throws -> [Lease] {
        try checkOpen()
        return leases.values.sorted { $0.node < $1.node }
    }

    public func watch() async throws -> AsyncThrowingStream<LeaseEvent, any Error> {
        try checkOpen()
        if subscribers.isEmpty {
            watchState = LeaseWatchState()
            _ = watchState.update(to: Array(leases.values), now: clock())
        }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: LeaseEvent.self)
        for event in watchState.snapshotEvents { continuation.yield(event) }
        let id = UUID()
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    public func close() async {
        guard !isClosed else { return }
        isClosed = true
        for continuation in subscribers.values { continuation.finish() }
        subscribers = [:]
    }

    private func commit(_ lease: Lease) -> Lease {
        revision += 1
        var stored = lease
        stored.revision = revision
        leases[lease.node] = stored
        publish()
        return stored
    }

    private func publish() {
        guard !subscribers.isEmpty else { return }
        let events = watchState.update(to: Array(leases.values), now: clock())
        for event in events {
            for continuation in subscribers.values { continuation.yield(event) }
        }
    }

    private func unsubscribe(_ id: UUID) { subscribers[id] = nil }

    private func checkOpen() throws(LeaseStoreError) {
        if isClosed { throw .closed }
    }
}
