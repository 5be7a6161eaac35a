import Foundation
import HTTPClient
import NetworkCore
import Synchronization

/// Leases in etcd v3: the distributed store for clusters without Kubernetes.
///
/// - acquire: one transaction that creates the node's key and one key per subnet only if
///   the node's key still is what this node read, and no subnet key overlapping the
///   planned subnets exists (its own key, the keys around it, the key range inside it; see
///   `EtcdKeyLayout`): overlap is impossible whatever the planner believed. A lost race
///   reads back only the keys that blocked it and plans again; nothing is re-read in full;
/// - expiry: a lease's keys hang on an etcd lease of the lease's TTL, so etcd deletes them
///   when the node stops renewing. No local clock judges expiry: not the acquirer's (it
///   never deletes another node's keys), not a watcher's (a lease ends when etcd deletes it);
/// - an acquire whose transaction may have applied but whose answer was lost reads the
///   node's key back, and revokes the fresh etcd lease only when nothing hangs on it;
/// - renew: a keep-alive of the etcd lease plus a compare-and-swap rewrite of the record;
/// - watch: the snapshot, then etcd's watch from the next revision, with a leader required;
///   a stream quiet for the heartbeat is checked against its member and moved to another
///   when that member does not answer; re-opened after any failure, forever, with a capped
///   jittered pause; re-listed after a compaction. Records no reader can decode are
///   skipped and reported (their subnet keys still guard their subnets).
public final class EtcdLeaseStore: LeaseStore {
    public let layout: EtcdKeyLayout
    let client: EtcdClient
    private let planner: LeasePlanner?
    private let clock: @Sendable () -> Date
    private let report: @Sendable (LeaseStoreReport) -> Void
    let name: String
    private let watches = WatchRegistry()
    /// Every lease as this client last saw it (nil: not loaded, or the last read failed),
    /// and subnets learned to be held from keys that blocked a transaction. Acquire plans
    /// from it and the transaction's compares catch whatever it missed, so a busy agent does
    /// not read every lease for every acquire.
    private let cache = Mutex<Cache?>(nil)

    struct Cache: Sendable {
        var leases: [String: Stored]
        var heldSubnets: [IPPrefix: String] = [:]
    }

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
        clock = options.clock ?? { Date() }
        report = options.report
        let hosts = client.configuration.endpoints.map { "\($0.host):\($0.port)" }.joined(separator: ",")
        name = "etcd://\(hosts)\(layout.prefix)"
    }

    /// Opens `etcd://host:port[,host:port...]/prefix[?timeout=S&dial-timeout=S]`, with TLS
    /// when `ca=`, `cert=`/`key=` (PEM files) or `tls=1` (system trust roots) is given.
    public convenience init(url: LeaseStoreURL, options: LeaseStoreOptions) throws(LeaseStoreError) {
        guard !url.endpoints.isEmpty else {
            throw .badConfiguration("etcd store URL '\(url)' names no endpoint; use etcd://host:2379[,host:2379...]/prefix")
        }
        let known = ["timeout", "dial-timeout", "heartbeat", "ca", "cert", "key", "tls"]
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
        if let heartbeat = try seconds("heartbeat") { configuration.watchHeartbeat = heartbeat }
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
                    // Revoking deletes whatever hangs on the lease: only when that is provably nothing.
                    if await isUnused(etcdLease, node: request.node) { try? await client.revokeLease(etcdLease) }
                    throw error
                }
            }
            throw LeaseStoreError.unavailable(store: name, reason: "etcd lost three leases in a row right after granting them")
        }
    }

    public func renew(node: String, ttl: Duration, owner: String) async throws -> Lease {
        try await guarded {
            for _ in 0..<Self.maxAttempts {
                let mine = try await read(node: node)
                // Whether the lease lives is etcd's to say (the keep-alive below), not this clock's.
                var renewed = try LeasePlanner.renewal(of: node, ttl: ttl, owner: owner, existing: mine?.lease, now: clock(), judgeExpiry: false)
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
                    remember(Stored(lease: renewed, etcdLease: etcdLease))
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
                // A lost answer is resolved by the next round: no record left means released.
                if try await client.txn(txn).succeeded {
                    if mine.etcdLease != 0 { try? await client.revokeLease(mine.etcdLease) }
                    remember(nil, forgetting: [node])
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
        let (leases, revision, _) = try await guarded { try await snapshot() }
        let (stream, continuation) = LeaseEventStream.make(leases: leases.count)
        var view = WatchView()
        for event in view.replace(with: leases.map(\.lease), now: clock()) { continuation.deliver(event, store: name) }
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

    /// Plans from what this client knows, commits in one transaction, and on a lost compare
    /// learns from the failure branch which keys blocked it (the node's own record, the held
    /// subnets overlapping the plan), then plans again. A client that knows nothing starts
    /// blind rather than reading every lease: the compares make a blind guess safe, and at a
    /// mass boot 5,000 agents reading 5,000 records each would be 25 million reads. Only a
    /// pool that looks exhausted is read in full, to be sure.
    private func acquire(_ request: LeaseRequest, planner: LeasePlanner, etcdLease: Int64) async throws -> Lease {
        var fresh = false
        for _ in 1...Self.maxAttempts {
            let known: Cache
            if !fresh {
                known = cache.withLock { cache in
                    if cache == nil { cache = Cache(leases: [:]) }
                    return cache!
                }
            } else {
                known = try await snapshot().cache
            }
            let plan: LeasePlanner.Plan
            do {
                plan = try planner.plan(request, existing: known.leases.values.map(\.lease),
                                        alsoTaken: known.heldSubnets.filter { $0.value != request.node }.map(\.key),
                                        now: clock(), expiredBefore: nil)
            } catch {
                // The cache may hold leases released since: look again before saying so.
                guard case .exhausted = error, !fresh else { throw error }
                fresh = true
                continue
            }
            let mine = known.leases[request.node]
            let transaction = acquireTransaction(plan, mine: mine?.lease, etcdLease: etcdLease)
            let response: EtcdTxnResponse
            do {
                response = try await client.txn(transaction)
            } catch {
                // The transaction may have applied with its answer lost: read back before deciding.
                if let committed = try? await committedLease(request.node, etcdLease: etcdLease) {
                    remember(committed)
                    return committed.lease
                }
                throw error
            }
            if response.succeeded {
                if let old = mine?.etcdLease, old != 0, old != etcdLease { try? await client.revokeLease(old) }
                var lease = plan.lease
                lease.revision = UInt64(response.header.revision)
                remember(Stored(lease: lease, etcdLease: etcdLease))
                return lease
            }
            learn(fromFailed: response, node: request.node)
            fresh = false
        }
        throw LeaseStoreError.conflict(key: keyName(layout.leaseKey(request.node)), attempts: Self.maxAttempts)
    }

    /// The node's record when it hangs on `etcdLease`: the transaction that wrote it applied.
    private func committedLease(_ node: String, etcdLease: Int64) async throws -> Stored? {
        guard let kv = try await client.range(EtcdRangeRequest(key: layout.leaseKey(node))).kvs.first,
              kv.lease == etcdLease else { return nil }
        return try decode(kv)
    }

    /// True only when etcd says no key of the node hangs on `etcdLease`; false when unsure.
    private func isUnused(_ etcdLease: Int64, node: String) async -> Bool {
        guard let kvs = try? await client.range(EtcdRangeRequest(key: layout.leaseKey(node))).kvs else { return false }
        return kvs.allSatisfy { $0.lease != etcdLease }
    }

    /// Puts this client's own write into the cache (nil lease: a release).
    private func remember(_ stored: Stored?, forgetting nodes: [String] = []) {
        cache.withLock { cache in
            guard cache != nil else { return }
            for node in nodes {
                if let old = cache!.leases.removeValue(forKey: node) { old.lease.subnets.forEach { cache!.heldSubnets[$0] = nil } }
            }
            if let stored {
                if let old = cache!.leases[stored.lease.node] { old.lease.subnets.forEach { cache!.heldSubnets[$0] = nil } }
                cache!.leases[stored.lease.node] = stored
                for subnet in stored.lease.subnets { cache!.heldSubnets[subnet] = stored.lease.node }
            }
        }
    }

    /// Takes in what the failure branch read: the node's own record as it is now, and the
    /// subnet keys that overlap the plan. Without a cache, the next round reads in full.
    private func learn(fromFailed response: EtcdTxnResponse, node: String) {
        // In the order of `acquireTransaction`'s failure branch: the record, then subnet keys.
        let ranges = response.responses.compactMap { result -> EtcdRangeResponse? in
            if case .range(let range) = result { range } else { nil }
        }
        let mine = ranges.first?.kvs.first.flatMap { try? decode($0) }
        let subnetKeys = ranges.dropFirst().flatMap(\.kvs)
        cache.withLock { cache in
            guard cache != nil else { return }
            cache!.leases[node] = mine
            for kv in subnetKeys {
                if let subnet = layout.subnet(ofSubnetKey: kv.key) { cache!.heldSubnets[subnet] = String(decoding: kv.value, as: UTF8.self) }
            }
        }
    }

    /// The one transaction that writes `plan`. It succeeds only if the node's record is what
    /// was read and, for every new subnet, no overlapping subnet key exists: not its own
    /// (unless the node holds it already), not one around it, not one inside it. Its
    /// failure branch reads those keys back, so a lost race costs no full re-read.
    func acquireTransaction(_ plan: LeasePlanner.Plan, mine: Lease?, etcdLease: Int64) -> EtcdTxnRequest {
        let node = plan.lease.node
        let newSubnets = Set(plan.lease.subnets)
        var compare: [EtcdCompare] = [
            mine.map { .modRevision(key: layout.leaseKey(node), equals: Int64($0.revision)) }
                ?? .createRevision(key: layout.leaseKey(node), equals: 0),
        ]
        var failure: [EtcdOperation] = [.range(EtcdRangeRequest(key: layout.leaseKey(node)))]
        for subnet in plan.lease.subnets {
            let key = layout.subnetKey(subnet), inside = layout.coveredSubnetRange(subnet)
            let held = mine?.subnets.contains(subnet) == true
            compare.append(held ? .value(key: key, equals: Array(node.utf8)) : .createRevision(key: key, equals: 0))
            compare.append(.noKeys(from: inside.start, to: inside.end))
            compare += layout.coveringSubnetKeys(subnet).map { .createRevision(key: $0, equals: 0) }
            failure.append(.range(EtcdRangeRequest(key: key)))
            failure.append(.range(EtcdRangeRequest(key: inside.start, rangeEnd: inside.end, limit: 64)))
            failure += layout.coveringSubnetKeys(subnet).map { .range(EtcdRangeRequest(key: $0)) }
        }
        var deletes: [EtcdOperation] = []
        for old in mine?.subnets ?? [] where !newSubnets.contains(old) {
            deletes.append(.delete(key: layout.subnetKey(old)))
        }
        return EtcdTxnRequest(compare: compare, success: puts(plan.lease, etcdLease: etcdLease) + deletes, failure: failure)
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

    /// Every lease at one revision, and every held subnet key; refreshes the cache. A record
    /// that cannot be decoded is skipped and reported: its subnet keys still guard its subnets.
    func snapshot() async throws -> (leases: [Stored], revision: Int64, cache: Cache) {
        do {
            let (header, kvs) = try await client.rangeAll(prefix: layout.leasesPrefix)
            let (_, subnetKeys) = try await client.rangeAll(prefix: layout.subnetsPrefix, revision: header.revision)
            let leases = decodeSkipping(kvs)
            var fresh = Cache(leases: Dictionary(leases.map { ($0.lease.node, $0) }, uniquingKeysWith: { $1 }))
            for kv in subnetKeys {
                if let subnet = layout.subnet(ofSubnetKey: kv.key) { fresh.heldSubnets[subnet] = String(decoding: kv.value, as: UTF8.self) }
            }
            cache.withLock { $0 = fresh }
            return (leases, header.revision, fresh)
        } catch {
            cache.withLock { $0 = nil }
            throw error
        }
    }

    /// The records that decode; each one that does not is reported.
    private func decodeSkipping(_ kvs: [EtcdKeyValue]) -> [Stored] {
        kvs.compactMap { kv -> Stored? in
            do throws(LeaseStoreError) { return try decode(kv) } catch {
                report(.skippedRecord(error))
                return nil
            }
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

    /// The leases a watcher knows, by node, and the events that changes to them make. No
    /// clock decides: a lease ends when etcd deletes it. `now` only names the deletion: one
    /// after the record's own expiry time is reported as `.expired`, any other as `.deleted`.
    struct WatchView: Sendable {
        private var leases: [String: Lease] = [:]

        /// A new full view (the snapshot, a re-list after compaction).
        mutating func replace(with all: [Lease], now: Date) -> [LeaseEvent] {
            let current = Dictionary(all.map { ($0.node, $0) }, uniquingKeysWith: { $1 })
            var events: [LeaseEvent] = []
            for lease in all.sorted(by: { $0.node < $1.node }) where leases[lease.node] != lease {
                events.append(LeaseEvent.between(leases[lease.node], lease))
            }
            for (node, old) in leases.sorted(by: { $0.key < $1.key }) where current[node] == nil {
                events.append(Self.ended(old, now: now))
            }
            leases = current
            return events
        }

        /// One key's change: O(1), whatever the number of leases.
        mutating func set(_ node: String, _ lease: Lease?, now: Date) -> LeaseEvent? {
            let old = leases[node]
            leases[node] = lease
            if let lease { return old == lease ? nil : LeaseEvent.between(old, lease) }
            return old.map { Self.ended($0, now: now) }
        }

        private static func ended(_ lease: Lease, now: Date) -> LeaseEvent {
            lease.isExpired(at: now) ? .expired(lease) : .deleted(lease)
        }
    }

    /// Streams etcd's changes after `revision` as lease events until cancelled. Every failure
    /// is reported and retried after a capped, jittered pause, forever; a stream quiet for the
    /// heartbeat is checked against its member, and left for another when that fails; a
    /// compacted history is re-listed.
    private func follow(from revision: Int64, view: WatchView,
                        into continuation: AsyncThrowingStream<LeaseEvent, any Error>.Continuation) async {
        var revision = revision, view = view
        var backoff = WatchBackoff()
        let monotonic = ContinuousClock()
        var lastNews = monotonic.now
        var endpoint: HTTPEndpoint?
        while !Task.isCancelled {
            do {
                endpoint = nil
                let watch = try await client.watch(EtcdWatchCreate(prefix: layout.leasesPrefix, startRevision: revision + 1, prevKV: false))
                endpoint = watch.endpoint
                defer { watch.close() }
                // Cancelling this task ends the stream's iterator, which closes the connection.
                while true {
                    let response: EtcdWatchResponse
                    do {
                        guard let next = try await watch.next() else { break }
                        response = next
                    } catch HTTPClientError.timeout {
                        // Quiet for a heartbeat: fine if the member still answers with a leader.
                        try await client.probe(watch.endpoint, key: layout.leasesPrefix)
                        lastNews = monotonic.now
                        continue
                    }
                    backoff.reset()
                    lastNews = monotonic.now
                    if response.canceled {
                        guard response.compactRevision > 0 else {
                            throw EtcdError.server(code: 0, message: "watch cancelled: \(response.cancelReason)", httpStatus: 200)
                        }
                        let (leases, now, _) = try await snapshot()
                        for event in view.replace(with: leases.map(\.lease), now: clock()) { continuation.deliver(event, store: name) }
                        revision = now
                        break
                    }
                    for event in response.events {
                        if let node = layout.node(ofLeaseKey: event.kv.key) {
                            var lease: Lease?
                            if event.kind == .put {
                                do throws(LeaseStoreError) { lease = try decode(event.kv).lease } catch { report(.skippedRecord(error)) }
                            }
                            if let change = view.set(node, lease, now: clock()) { continuation.deliver(change, store: name) }
                        }
                        revision = max(revision, event.kv.modRevision)
                    }
                    if response.events.isEmpty && !response.created {
                        revision = max(revision, response.header.revision) // a progress notification
                    }
                }
            } catch {
                if Task.isCancelled { break }
                if let endpoint { client.avoid(endpoint) }
                let pause = backoff.next()
                report(.watchRetry(store: name, error: "\(LeaseStoreError.wrapping(error, store: name))", failures: backoff.failures,
                                   sinceLastEvent: monotonic.now - lastNews, retryIn: pause))
                try? await Task.sleep(for: pause)
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
