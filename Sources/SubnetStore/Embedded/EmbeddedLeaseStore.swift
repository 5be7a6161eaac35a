import Foundation

/// The default store for one machine and the lab: every lease in one local file
/// (`file:///var/lib/terway-edge/leases.db`), shared safely by all agents of the host.
///
/// - Writers take an exclusive `flock` on `<file>.lock`, catch up with the file, apply the
///   change and append it as checksummed log lines with one `fdatasync`; when the log has
///   grown to twice the live leases they compact it into a new file instead (write, fsync,
///   rename, fsync the folder). Processes on the host are serialised, and a crash at any
///   point leaves the last acknowledged state: a torn append fails its checksum and is
///   dropped, a torn compaction never got its name. See `LeaseDatabase` for the format.
/// - Readers take no lock: they ignore a line still being appended, and a rename swaps
///   whole files under an open descriptor.
/// - Watchers poll the file (its header's generation and the bytes appended since the last
///   look: one open and two small reads per `pollInterval`). That works on any file system
///   and sees every other process's writes without a C shim for inotify; in-process writes
///   are published at once. The same tick reports expiries.
/// - Expiry is judged by one clock, the host kernel's (`HostClock`), whatever a process's
///   libc says, and another node's lease is reclaimed only `expiryMargin` after it expired.
/// - A file whose revision goes backwards (a backup restored, the file replaced) is a new
///   history: watchers take whatever the worker read last as the truth, in the worker's order.
///
/// The file work runs on `LeaseFileWorker` threads; the actor keeps the watchers.
public actor EmbeddedLeaseStore: LeaseStore {
    public nonisolated let path: String
    private let worker: LeaseFileWorker
    private let planner: LeasePlanner?
    private let clock: @Sendable () -> Date
    private let expiryMargin: TimeInterval
    private let report: @Sendable (LeaseStoreReport) -> Void
    /// Unreadable records watchers were told about: each is reported once.
    private var reportedUnreadable: Set<LeaseStoreError> = []
    private let pollInterval: Duration
    private var isClosed = false
    private var watchState = LeaseWatchState()
    /// The worker's sequence number of the database watchers have seen: one read earlier
    /// but finishing later is not published over it.
    private var publishedSequence: UInt64 = 0
    /// The content watchers have seen: a poll that finds the file as it was only checks
    /// expiries instead of comparing every lease again (an idle agent polls 10 times a second).
    private var publishedVersion: LeaseDatabase.Version?
    private var subscribers: [UUID: AsyncThrowingStream<LeaseEvent, any Error>.Continuation] = [:]
    private var poller: Task<Void, Never>?

    /// Opens (creating its folder when missing) the database at `path`. Without pools the
    /// store can list, watch, renew and release but not acquire.
    public init(path: String, options: LeaseStoreOptions, pollInterval: Duration = .milliseconds(100)) throws(LeaseStoreError) {
        guard path.hasPrefix("/"), !path.hasSuffix("/") else {
            throw .badConfiguration("the embedded store needs an absolute file path, got '\(path)'")
        }
        self.path = path
        worker = try LeaseFileWorker(path: path)
        planner = options.pools.isEmpty ? nil : try LeasePlanner(pools: options.pools)
        clock = options.clock ?? HostClock.now
        expiryMargin = options.expiryMargin.timeInterval
        report = options.report
        self.pollInterval = pollInterval
    }

    /// `file:///absolute/path` (the host part must be empty).
    public init(url: LeaseStoreURL, options: LeaseStoreOptions) throws(LeaseStoreError) {
        guard url.endpoints.isEmpty else {
            throw .badConfiguration("file store URLs have no host: write file:///absolute/path, not \(url)")
        }
        try self.init(path: url.path, options: options)
    }

    public func acquire(_ request: LeaseRequest) async throws -> Lease {
        guard let planner else {
            throw LeaseStoreError.badConfiguration("no cluster CIDR given: this store was opened for reading only")
        }
        let margin = expiryMargin
        return try await write { database, now throws(LeaseStoreError) in
            // A record nobody can read may hold any subnet: refuse rather than guess.
            if let unreadable = database.unreadable.first { throw unreadable }
            let plan = try planner.plan(request, existing: database.unorderedLeases, now: now, expiredBefore: now - margin)
            let (stored, lines) = database.commit(puts: [plan.lease], deletes: plan.reclaimed.map(\.node))
            return (stored[0], lines)
        }
    }

    public func renew(node: String, ttl: Duration, owner: String) async throws -> Lease {
        try await write { database, now throws(LeaseStoreError) in
            let renewed = try LeasePlanner.renewal(of: node, ttl: ttl, owner: owner, existing: database.lease(of: node), now: now)
            let (stored, lines) = database.commit(puts: [renewed])
            return (stored[0], lines)
        }
    }

    @discardableResult
    public func release(node: String) async throws -> Lease? {
        try await write { database, _ throws(LeaseStoreError) in
            guard let lease = database.lease(of: node) else { return (nil, nil) }
            return (lease, database.commit(puts: [], deletes: [node]).lines)
        }
    }

    public func get(node: String) async throws -> Lease? {
        let database = try await current().0
        if let unreadable = database.unreadable(of: node) { throw unreadable }
        return database.lease(of: node)
    }

    /// Every readable lease; each unreadable record is reported and left out.
    public func list() async throws -> [Lease] {
        let database = try await current().0
        database.unreadable.forEach { report(.skippedRecord($0)) }
        return database.leases
    }

    public func watch() async throws -> AsyncThrowingStream<LeaseEvent, any Error> {
        let (database, sequence) = try await current()
        if subscribers.isEmpty {
            // Nobody watched, so the state is stale: start over from the current file.
            watchState = LeaseWatchState()
            _ = watchState.update(to: database.leases, now: clock())
            publishedSequence = sequence
            publishedVersion = database.contentVersion
        } else {
            publish(database, sequence: sequence)
        }
        let (stream, continuation) = LeaseEventStream.make(leases: database.count)
        for event in watchState.snapshotEvents { continuation.deliver(event, store: path) }
        let id = UUID()
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        if poller == nil {
            poller = Task { [pollInterval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    await self.poll()
                }
            }
        }
        return stream
    }

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        finishWatchers(throwing: nil)
    }

    // MARK: - Internals

    private func checkOpen() throws(LeaseStoreError) {
        if isClosed { throw .closed }
    }

    /// The file's current version, read by the worker, with the worker's sequence number.
    private func current() async throws(LeaseStoreError) -> (LeaseDatabase, UInt64) {
        try checkOpen()
        return try await worker.perform { worker throws(LeaseStoreError) in (try worker.current(), worker.sequence) }
    }

    /// One read-modify-write by the worker (see `LeaseFileWorker.write`), then the
    /// watchers hear of it.
    private func write<T: Sendable>(_ body: @escaping @Sendable (inout LeaseDatabase, Date) throws(LeaseStoreError) -> (T, [UInt8]?)) async throws(LeaseStoreError) -> T {
        try checkOpen()
        let clock = self.clock
        let (value, database, sequence) = try await worker.perform { worker throws(LeaseStoreError) in
            let (value, database) = try worker.write(now: clock, body)
            return (value, database, worker.sequence)
        }
        publish(database, sequence: sequence)
        return value
    }

    /// Sends watchers what changed since they last heard (nothing to do without watchers).
    /// A database the worker read before the last one published only advances expiries.
    /// The file's revision is not the order: a restored backup starts a lower one.
    private func publish(_ database: LeaseDatabase, sequence: UInt64) {
        guard !subscribers.isEmpty else { return }
        let events: [LeaseEvent]
        if sequence < publishedSequence || database.contentVersion == publishedVersion {
            // An older read, or the content watchers have seen: only time has moved on.
            events = watchState.expire(now: clock())
        } else {
            publishedSequence = sequence
            publishedVersion = database.contentVersion
            for unreadable in database.unreadable where reportedUnreadable.insert(unreadable).inserted {
                report(.skippedRecord(unreadable))
            }
            events = watchState.update(to: database.leases, now: clock())
        }
        for continuation in subscribers.values { events.forEach { continuation.deliver($0, store: path) } }
    }

    private func poll() async {
        guard !subscribers.isEmpty, !isClosed else { return }
        do {
            let (database, sequence) = try await current()
            publish(database, sequence: sequence)
        } catch {
            finishWatchers(throwing: error)
        }
    }

    private func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
        if subscribers.isEmpty {
            poller?.cancel()
            poller = nil
        }
    }

    private func finishWatchers(throwing error: (any Error)?) {
        poller?.cancel()
        poller = nil
        let finishing = subscribers.values
        subscribers = [:]
        finishing.forEach { $0.finish(throwing: error) }
    }
}
