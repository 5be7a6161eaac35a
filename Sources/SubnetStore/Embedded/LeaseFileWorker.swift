import Foundation

/// The file side of one embedded store: the lock, the file and the cached database. Each
/// operation runs on a thread of its own, one at a time (`mutex`): waiting for the `flock`
/// another process holds and for `fdatasync` then blocks that thread, never one of the few
/// threads of Swift's cooperative pool that the agent's other services run on, nor one of
/// Dispatch's global threads (as few, and easily all blocked by other code). Lease
/// operations are rare (boot, renewals, polls), so a thread each costs little.
final class LeaseFileWorker: @unchecked Sendable {
    let file: LeaseFile
    private let lock: FileLock
    private let mutex = NSLock()
    /// The database as last read or written; touched only while holding `mutex`.
    private var cache = LeaseDatabase()
    /// Counts operations, in the order they ran: what a caller's result is ordered by.
    private(set) var sequence: UInt64 = 0

    init(path: String) throws(LeaseStoreError) {
        file = LeaseFile(path: path)
        try file.createDirectory()
        lock = try FileLock(path: file.lockPath)
    }

    /// Runs `body` on a fresh thread, after every earlier operation, and returns its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable (LeaseFileWorker) throws(LeaseStoreError) -> T) async throws(LeaseStoreError) -> T {
        let result: Result<T, LeaseStoreError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                self.mutex.lock()
                self.sequence += 1
                let result = Result { () throws(LeaseStoreError) -> T in try body(self) }
                self.mutex.unlock()
                continuation.resume(returning: result)
            }
            thread.name = "terway-edge-leases"
            thread.start()
        }
        return try result.get()
    }

    /// The file's current version (call inside `perform`). While the header names the generation the cache came
    /// from, only the bytes appended since are read; after a compaction, the whole file.
    func current() throws(LeaseStoreError) -> LeaseDatabase {
        guard let reader = try file.openForReading() else {
            cache = LeaseDatabase()
            return cache
        }
        let head = try reader.read(from: 0, limit: LeaseDatabase.headerReadLimit)
        if let generation = cache.generation, try LeaseDatabase.generation(inHeaderOf: head, path: file.path) == generation,
           try reader.size >= cache.consumed {
            var updated = cache
            try updated.apply(reader.read(from: cache.consumed)[...], path: file.path)
            cache = updated
        } else {
            cache = try LeaseDatabase.decode(reader.read(from: 0), path: file.path)
        }
        return cache
    }

    /// One read-modify-write under the host-wide lock (call inside `perform`): `body` changes the database at `now()`
    /// and returns the log lines of its change (nil: nothing changed). The lines are
    /// appended, or the database compacted into a new file when the log has grown long. On
    /// any error neither the file's valid content nor the cache change.
    func write<T>(now: () -> Date, _ body: (inout LeaseDatabase, Date) throws(LeaseStoreError) -> (T, [UInt8]?)) throws(LeaseStoreError) -> (T, LeaseDatabase) {
        let (value, database) = try lock.withLock { () throws(LeaseStoreError) -> (T, LeaseDatabase) in
            var database = try current()
            let validEnd = database.consumed
            let (value, lines) = try body(&database, now())
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
        return (value, database)
    }
}
