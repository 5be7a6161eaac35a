import Foundation
import HTTPClient
import NetworkCore
import Synchronization

/// Leases in etcd v3: the distributed store for clusters without Kubernetes.
///
/// - acquire: one transaction that creates the node's key and one key per subnet only if
///   they are absent (`create_revision == 0`) or still hold what this node read
///   (`mod_revision` and value compares); a lost race re-reads and plans again;
/// - expiry: a lease's keys hang on an etcd lease of the lease's TTL, so etcd deletes them
///   when the node stops renewing. A record whose own `expiresAt` has passed (the options'
///   clock) is reclaimed too: the acquiring transaction deletes it;
/// - renew: a keep-alive of the etcd lease plus a compare-and-swap rewrite of the record;
/// - watch: the snapshot, then etcd's watch from the next revision, re-opened after a
///   disconnect and re-listed after a compaction.
public final class EtcdLeaseStore: LeaseStore {
    public let layout: EtcdKeyLayout
    let client: EtcdClient
    private let planner: LeasePlanner?
    private let clock: @Sendable () -> Date
    let name: String
    private let watches = WatchRegistry()
    /// Every lease as this client last saw it (nil: not loaded, or the last read failed).
    /// Acquire plans from it and the transaction's compares catch whatever it missed, so a
    /// busy agent does not read every lease for every acquire.
    private let cache = Mutex<[String: Stored]?>(nil)

    /// A lease as read from etcd, with the etcd lease its keys hang on.
    struct Stored: Sendable {
        var lease: Lease
        var etcdLease: Int64
    }

    /// How often a compare-and-swap may lose in a row before a `conflict` is reported.
    static let maxAttempts = 32

    public init(client: EtcdClient, layout: EtcdKeyLayout, options: LeaseStoreOptions) {
        self.client = client
        self.layout = layout
        planner = try? LeasePlanner(pools: options.pools)
        clock = options.clock
        let hosts = client.configuration.endpoints.map { "\($0.host):\($0.port)" }.joined(separator: ",")
        name = "etcd://\(hosts)\(layout.prefix)"
    }

    /// Opens `etcd://host:port[,host:port...]/prefix[?timeout=S&dial-timeout=S]`, with TLS
    /// when `ca=`, `cert=`/`key=` (PEM files) or `tls=1` (system trust roots) is given.
    public convenience init(url: LeaseStoreURL, options: LeaseStoreOptions) throws(LeaseStoreError) {
        guard !url.endpoints.isEmpty else {
            throw .badConfiguration("etcd store URL '\(url)' names no endpoint; use etcd://host:2379[,host:2379...]/prefix")
        }
        let known = ["timeout", "dial-timeout", "ca", "cert", "key", "tls"]
        for key in url.query.keys where !known.contains(key) {
            throw .badConfiguration("unknown etcd store option '\(key)'; known: \(known.joined(separator: ", "))")
        }
        let tls = url.query["tls"] == "1" || url.query["tls"] == "true" || ["ca", "cert", "key"].contains { url.query[$0] != nil }
        var endpoints: [HTTPEndpoint] = []
        for text in url.endpoints {
            do { endpoints.append(try HTTPEndpoint(parsing: text, defaultPort: 2379, tls: tls)) } catch {
                throw .badConfiguration("etcd endpoint: \(error)")
            }
        }
        var configuration = EtcdClient.Configuration(endpoints: endpoints)
        if tls { configuration.tls = TLSOptions(caFile: url.query["ca"], certificateFile: url.query["cert"], keyFile: url.query["key"]) }
        func seconds(_ key: String) throws(LeaseStoreError) -> Double? {
            guard let text = url.query[key] else { return nil }
            guard let value = Double(text), value > 0, value <= 600 else {
                throw .badConfiguration("etcd option \(key)=\(text) must be seconds, more than 0 and at most 600")
            }
            return value
        }
        if let timeout = try seconds("timeout") { configuration.requestTimeout = timeout }
        if let timeout = try seconds("dial-timeout") { configuration.connectTimeout = timeout }
        let client: EtcdClient
        do { client = try EtcdClient(configuration) } catch { throw .badConfiguration(error.description) }
        let prefix = url.path.isEmpty || url.path == "/" ? "/terway-edge" : url.path
        self.init(client: client, layout: try EtcdKeyLayout(prefix: prefix), options: options)
    }

    // MARK: LeaseStore

    public func acquire(_ request: LeaseRequest) async throws -> Lease {
        try await guarded {
            let planner = try requirePlanner()
            try request.validate()
            // A lease granted by a member that then lost its leader, or one that ran out while
            // this client was starved, is gone when the transaction names it: grant again.
            for attempt in 1...3 {
                let etcdLease = try await client.grantLease(ttl: Self.etcdTTL(request.ttl)).id
                do {
                    return try await acquire(request, planner: planner, etcdLease: etcdLease)
                } catch EtcdError.server(let code, _, _) where code == 5 && attempt < 3 {
                    continue // NotFound: etcd has no such lease (any more)
                } catch {
                    try? await client.revokeLease(etcdLease)
                    throw error
                }
            }
            throw LeaseStoreError.unavailable(store: name, reason: "etcd lost three leases in a row right after granting them")
        }
    }

    public func renew(node: String, ttl: Duration) async throws -> Lease {
        try await guarded {
            for _ in 0..<Self.maxAttempts {
                let mine = try await read(node: node)
                var renewed = try LeasePlanner.renewal(of: node, ttl: ttl, existing: mine?.lease, now: clock())
                guard let mine else { throw LeaseStoreError.notFound(node: node) }
                // Keep the etcd lease when its TTL fits the new one, else move to a new lease.
                let wanted = Self.etcdTTL(ttl)
                var etcdLease = mine.etcdLease
                if etcdLease != 0 {
                    let alive = try await client.keepAlive(lease: etcdLease)
                    guard alive.ttl > 0 else { throw LeaseStoreError.leaseExpired(node: node) }
                    if alive.ttl < wanted || alive.ttl > wanted + 1 { etcdLease = 0 }
                }
                let granted = etcdLease == 0
                if granted { etcdLease = try await client.grantLease(ttl: wanted).id }
                let txn = EtcdTxnRequest(
                    compare: [.modRevision(key: layout.leaseKey(node), equals: Int64(mine.lease.revision))],
                    success: puts(renewed, etcdLease: etcdLease))
                let response = try await client.txn(txn)
                if response.succeeded {
                    if granted && mine.etcdLease != 0 { try? await client.revokeLease(mine.etcdLease) }
                    renewed.revision = UInt64(response.header.revision)
                    remember(renewed, etcdLease: etcdLease)
                    return renewed
                }
                if granted { try? await client.revokeLease(etcdLease) }
            }
            throw LeaseStoreError.conflict(key: keyName(layout.leaseKey(node)), attempts: Self.maxAttempts)
        }
    }

    @discardableResult
    public func release(node: String) async throws -> Lease? {
        try await guarded {
            for _ in 0..<Self.maxAttempts {
                guard let mine = try await read(node: node) else { return nil }
                let txn = EtcdTxnRequest(
                    compare: [.modRevision(key: layout.leaseKey(node), equals: Int64(mine.lease.revision))],
                    success: [.delete(key: layout.leaseKey(node))] + mine.lease.subnets.map { .delete(key: layout.subnetKey($0)) })
                if try await client.txn(txn).succeeded {
                    if mine.etcdLease != 0 { try? await client.revokeLease(mine.etcdLease) }
                    remember(nil, etcdLease: 0, forgetting: [node])
                    return mine.lease
                }
            }
            throw LeaseStoreError.conflict(key: keyName(layout.leaseKey(node)), attempts: Self.maxAttempts)
        }
    }

    public func get(node: String) async throws -> Lease? {
        try await guarded { try await read(node: node)?.lease }
    }

    public func list() async throws -> [Lease] {
        try await guarded { try await snapshot().leases.map(\.lease).sorted { $0.node < $1.node } }
    }

    public func watch() async throws -> AsyncThrowingStream<LeaseEvent, any Error> {
        let (leases, revision) = try await guarded { try await snapshot() }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: LeaseEvent.self)
        var view = WatchView()
        for event in view.replace(with: leases.map(\.lease), now: clock()) { continuation.yield(event) }
        watches.start(continuation) { [view] in
            await self.follow(from: revision, view: view, into: continuation)
        }
        return stream
    }

    public func close() async {
        await watches.close()
        await client.close()
    }

    // MARK: Acquire

    /// Plans from the cached leases (read in full when there are none), commits in one
    /// transaction, and on a lost compare reads every lease again and plans again. A corrupt
    /// record anywhere stops the acquire: the store cannot tell which subnets it holds.
    private func acquire(_ request: LeaseRequest, planner: LeasePlanner, etcdLease: Int64) async throws -> Lease {
        var fresh = false
        for _ in 1...Self.maxAttempts {
            let known: [Stored]
            if !fresh, let cached = cache.withLock({ $0 }) {
                known = Array(cached.values)
            } else {
                known = try await snapshot().leases
                fresh = true
            }
            let plan: LeasePlanner.Plan
            do {
                plan = try planner.plan(request, existing: known.map(\.lease), now: clock())
            } catch {
                // The cache may hold leases released since: look again before saying so.
                guard case .exhausted = error, !fresh else { throw error }
                fresh = true
                continue
            }
            let mine = known.first { $0.lease.node == request.node }
            let response = try await client.txn(acquireTransaction(plan, mine: mine?.lease, etcdLease: etcdLease))
            if response.succeeded {
                if let old = mine?.etcdLease, old != 0, old != etcdLease { try? await client.revokeLease(old) }
                var lease = plan.lease
                lease.revision = UInt64(response.header.revision)
                remember(lease, etcdLease: etcdLease, forgetting: plan.reclaimed.map(\.node))
                return lease
            }
            fresh = false
            cache.withLock { $0 = nil }
        }
        throw LeaseStoreError.conflict(key: keyName(layout.leaseKey(request.node)), attempts: Self.maxAttempts)
    }

    /// Puts this client's own write into the cache (nil lease: a release).
    private func remember(_ lease: Lease?, etcdLease: Int64, forgetting nodes: [String] = []) {
        cache.withLock { cache in
            guard cache != nil else { return }
            for node in nodes { cache![node] = nil }
            if let lease { cache![lease.node] = Stored(lease: lease, etcdLease: etcdLease) }
        }
    }

    /// The one transaction that writes `plan`: it succeeds only if nothing it read has changed
    /// and every new subnet key is still absent.
    func acquireTransaction(_ plan: LeasePlanner.Plan, mine: Lease?, etcdLease: Int64) -> EtcdTxnRequest {
        let node = plan.lease.node
        let newSubnets = Set(plan.lease.subnets)
        var compare: [EtcdCompare] = [
            mine.map { .modRevision(key: layout.leaseKey(node), equals: Int64($0.revision)) }
                ?? .createRevision(key: layout.leaseKey(node), equals: 0),
        ]
        var deletes: [EtcdOperation] = []
        for subnet in plan.lease.subnets {
            let holder = mine?.subnets.contains(subnet) == true ? node
                : plan.reclaimed.first { $0.subnets.contains(subnet) }?.node
            compare.append(holder.map { .value(key: layout.subnetKey(subnet), equals: Array($0.utf8)) }
                ?? .createRevision(key: layout.subnetKey(subnet), equals: 0))
        }
        for old in mine?.subnets ?? [] where !newSubnets.contains(old) {
            deletes.append(.delete(key: layout.subnetKey(old)))
        }
        for expired in plan.reclaimed {
            compare.append(.modRevision(key: layout.leaseKey(expired.node), equals: Int64(expired.revision)))
            deletes.append(.delete(key: layout.leaseKey(expired.node)))
            for subnet in expired.subnets where !newSubnets.contains(subnet) {
                deletes.append(.delete(key: layout.subnetKey(subnet)))
            }
        }
        return EtcdTxnRequest(compare: compare, success: puts(plan.lease, etcdLease: etcdLease) + deletes)
    }

    /// The writes that store `lease`: its record and one key per subnet naming the node.
    private func puts(_ lease: Lease, etcdLease: Int64) -> [EtcdOperation] {
        [.put(key: layout.leaseKey(lease.node), value: LeaseRecordCodec.encode(lease), lease: etcdLease)]
            + lease.subnets.map { .put(key: layout.subnetKey($0), value: Array(lease.node.utf8), lease: etcdLease) }
    }

    // MARK: Reading

    private func read(node: String) async throws -> Stored? {
        do { try LeaseLimits.validateNodeName(node) } catch { throw LeaseStoreError.invalidRequest(node: node, reason: error.description) }
        return try await client.range(EtcdRangeRequest(key: layout.leaseKey(node))).kvs.first.map { try decode($0) }
    }

    /// Every lease at one revision; refreshes the cache, or empties it when a record is bad.
    func snapshot() async throws -> (leases: [Stored], revision: Int64) {
        do {
            let (header, kvs) = try await client.rangeAll(prefix: layout.leasesPrefix)
            var leases: [Stored] = []
            for kv in kvs { leases.append(try decode(kv)) }
            cache.withLock { $0 = Dictionary(leases.map { ($0.lease.node, $0) }, uniquingKeysWith: { $1 }) }
            return (leases, header.revision)
        } catch {
            cache.withLock { $0 = nil }
            throw error
        }
    }

    /// A record under `leases/`, validated: its key must name the node the record names.
    func decode(_ kv: EtcdKeyValue) throws(LeaseStoreError) -> Stored {
        let key = keyName(kv.key)
        guard let node = layout.node(ofLeaseKey: kv.key) else {
            throw .corruptRecord(key: key, reason: "key is not under \(layout.prefix)/leases/")
        }
        let lease = try LeaseRecordCodec.decode(kv.value, key: key, revision: UInt64(kv.modRevision), expectedNode: node)
        return Stored(lease: lease, etcdLease: kv.lease)
    }

    // MARK: Watching

    /// The leases a watcher knows, by node, and the events that changes to them make.
    struct WatchView: Sendable {
        private var leases: [String: Lease] = [:]
        private var state = LeaseWatchState()

        mutating func replace(with all: [Lease], now: Date) -> [LeaseEvent] {
            leases = Dictionary(all.map { ($0.node, $0) }, uniquingKeysWith: { $1 })
            return state.update(to: Array(leases.values), now: now)
        }

        mutating func set(_ node: String, _ lease: Lease?, now: Date) -> [LeaseEvent] {
            leases[node] = lease
            return state.update(to: Array(leases.values), now: now)
        }
    }

    /// Streams etcd's changes after `revision` as lease events until cancelled. A closed
    /// stream is re-opened from the last revision seen; a compacted history is re-listed.
    private func follow(from revision: Int64, view: WatchView,
                        into continuation: AsyncThrowingStream<LeaseEvent, any Error>.Continuation) async {
        var revision = revision, view = view, failures = 0
        while !Task.isCancelled {
            do {
                let watch = try await client.watch(EtcdWatchCreate(prefix: layout.leasesPrefix, startRevision: revision + 1))
                defer { watch.close() }
                // Cancelling this task ends the stream's iterator, which closes the connection.
                while let response = try await watch.next() {
                    failures = 0
                    if response.canceled {
                        guard response.compactRevision > 0 else {
                            throw EtcdError.server(code: 0, message: "watch cancelled: \(response.cancelReason)", httpStatus: 200)
                        }
                        let (leases, now) = try await snapshot()
                        for event in view.replace(with: leases.map(\.lease), now: clock()) { continuation.yield(event) }
                        revision = now
                        break
                    }
                    for event in response.events {
                        if let node = layout.node(ofLeaseKey: event.kv.key) {
                            let lease = event.kind == .put ? try decode(event.kv).lease : nil
                            for change in view.set(node, lease, now: clock()) { continuation.yield(change) }
                        }
                        revision = max(revision, event.kv.modRevision)
                    }
                    if response.events.isEmpty && !response.created {
                        revision = max(revision, response.header.revision) // a progress notification
                    }
                }
            } catch let error as LeaseStoreError {
                continuation.finish(throwing: error)
                return
            } catch {
                if Task.isCancelled { break }
                failures += 1
                guard failures < 5 else {
                    continuation.finish(throwing: LeaseStoreError.wrapping(error, store: name))
                    return
                }
                try? await Task.sleep(for: .milliseconds(100 << failures))
            }
        }
        continuation.finish()
    }

    // MARK: Helpers

    /// etcd lease TTLs are whole seconds and start when granted, a moment before the
    /// record's `expiresAt` is set: round up and add a second, so etcd never deletes a
    /// lease its holder still counts as live (a deletion then reads as an expiry).
    static func etcdTTL(_ ttl: Duration) -> Int64 {
        Int64(ttl.timeInterval.rounded(.up)) + 1
    }

    private func requirePlanner() throws(LeaseStoreError) -> LeasePlanner {
        guard let planner else {
            throw .badConfiguration("this etcd store was opened without subnet pools: it can list, watch and renew leases, not acquire")
        }
        return planner
    }

    private func keyName(_ key: [UInt8]) -> String { String(decoding: key, as: UTF8.self) }

    private func guarded<T>(_ body: () async throws -> T) async throws -> T {
        guard !watches.isClosed else { throw LeaseStoreError.closed }
        do {
            return try await body()
        } catch {
            throw LeaseStoreError.wrapping(error, store: name)
        }
    }
}
