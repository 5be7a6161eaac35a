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
/// - Watchers poll the header's change counter (one small read per `pollInterval`): it works
///   on any file system and sees every other process's writes without a C shim for inotify,
///   and in-process writes are published at once. The same tick reports expiries.
///
/// The file work is synchronous inside the actor: it holds the lock for one read-modify-write
/// and never awaits while holding it.
public actor EmbeddedLeaseStore: LeaseStore {
    public nonisolated let path: String
    private let file: LeaseFile
    private let lock: FileLock
    private let planner: LeasePlanner?
    private let clock: @Sendable () -> Date
    private let pollInterval: Duration
    /// The database as last read or written; `current()` brings it up to date.
    private var cache = LeaseDatabase()
    private var isClosed = false
    private var watchState = LeaseWatchState()
    private var subscribers: [UUID: AsyncThrowingStream<LeaseEvent, any Error>.Continuation] = [:]
    private var poller: Task<Void, Never>?

    /// Opens (creating its folder when missing) the database at `path`. Without pools the
    /// store can list, watch, renew and release but not acquire.
    public init(path: String, options: LeaseStoreOptions, pollInterval: Duration = .milliseconds(100)) throws(LeaseStoreError) {
        guard path.hasPrefix("/"), !path.hasSuffix("/") else {
            throw .badConfiguration("the embedded store needs an absolute file path, got '\(path)'")
        }
        self.path = path
        file = LeaseFile(path: path)
        try file.createDirectory()
        lock = try FileLock(path: file.lockPath)
        planner = options.pools.isEmpty ? nil : try LeasePlanner(pools: options.pools)
        clock = options.clock
        self.pollInterval = pollInterval
    }

    /// `file:///absolute/path` (the host part must be empty).
    public init(url: LeaseStoreURL, options: LeaseStoreOptions) throws(LeaseStoreError) {
        guard url.endpoints.isEmpty else {
            throw .badConfiguration("file store URLs have no host: write file:///absolute/path, not \(url)")
        }
        try self.init(path: url.path, options: options)
    }

    public func acquire(_ request: LeaseRequest) throws -> Lease {
        guard let planner else {
            throw LeaseStoreError.badConfiguration("no cluster CIDR given: this store was opened for reading only")
        }
        return try write { database, now throws(LeaseStoreError) in
            let plan = try planner.plan(request, existing: database.unorderedLeases, now: now)
            let (stored, lines) = database.commit(puts: [plan.lease], deletes: plan.reclaimed.map(\.node))
            return (stored[0], lines)
        }
    }

    public func renew(node: String, ttl: Duration) throws -> Lease {
        try write { database, now throws(LeaseStoreError) in
            let renewed = try LeasePlanner.renewal(of: node, ttl: ttl, existing: database.lease(of: node), now: now)
            let (stored, lines) = database.commit(puts: [renewed])
            return (stored[0], lines)
        }
    }

    @discardableResult
    public func release(node: String) throws -> Lease? {
        try write { database, _ throws(LeaseStoreError) in
            guard let lease = database.lease(of: node) else { return (nil, nil) }
            return (lease, database.commit(puts: [], deletes: [node]).lines)
        }
    }

    public func get(node: String) throws -> Lease? {
        try checkOpen()
        return try current().lease(of: node)
    }

    public func list() throws -> [Lease] {
        try checkOpen()
        return try current().leases
    }

    public func watch() throws -> AsyncThrowingStream<LeaseEvent, any Error> {
        try checkOpen()
        if subscribers.isEmpty {
            // Nobody watched, so the state is stale: start over from the current file.
            watchState = LeaseWatchState()
            _ = watchState.update(to: try current().leases, now: clock())
        } else {
            try publish(current())
        }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: LeaseEvent.self)
        for event in watchState.snapshotEvents { continuation.yield(event) }
        let id = UUID()
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        if poller == nil {
            poller = Task { [pollInterval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    self.poll()
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

    /// The file's current version. While the header names the generation the cache came
    /// from, only the bytes appended since are read; after a compaction, the whole file.
    private func current() throws(LeaseStoreError) -> LeaseDatabase {
        guard let reader = try file.openForReading() else {
            cache = LeaseDatabase()
            return cache
        }
        let head = try reader.read(from: 0, limit: LeaseDatabase.headerReadLimit)
        if let generation = cache.generation, try LeaseDatabase.generation(inHeaderOf: head, path: path) == generation,
           try reader.size >= cache.consumed {
            var updated = cache
            try updated.apply(reader.read(from: cache.consumed)[...], path: path)
            cache = updated
        } else {
            cache = try LeaseDatabase.decode(reader.read(from: 0), path: path)
        }
        return cache
    }

    /// One read-modify-write under the host-wide lock: the change is appended to the log,
    /// or the whole database compacted into a new file when the log has grown long. On any
    /// error neither the file's valid content nor the cache change.
    private func write<T>(_ body: (inout LeaseDatabase, Date) throws(LeaseStoreError) -> (T, [UInt8]?)) throws(LeaseStoreError) -> T {
        try checkOpen()
        let (value, database) = try lock.withLock { () throws(LeaseStoreError) -> (T, LeaseDatabase) in
            var database = try current()
            let validEnd = database.consumed
            let (value, lines) = try body(&database, clock())
            guard let lines else { return (value, database) }
            if database.needsCompaction {
                try file.replace(with: database.compacted())
            } else {
                try file.append(lines, validEnd: validEnd)
                database.appended(lines.count)
            }
            return (value, database)
        }
        cache = database
        try publish(database)
        return value
    }

    /// Sends watchers what changed since they last heard (nothing to do without watchers).
    private func publish(_ database: LeaseDatabase) throws(LeaseStoreError) {
        guard !subscribers.isEmpty else { return }
        let events = watchState.update(to: database.leases, now: clock())
        for continuation in subscribers.values { events.forEach { continuation.yield($0) } }
    }

    private func poll() {
        guard !subscribers.isEmpty, !isClosed else { return }
        do {
            try publish(current())
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
