import Foundation

/// An exclusive `flock` on `<database>.lock`, held by one writer across all processes of the
/// host. A separate lock file, because compaction replaces the database file itself.
final class FileLock: Sendable {
    let path: String
    private let fd: Int32

    init(path: String) throws(LeaseStoreError) {
        self.path = path
        fd = try systemCall("open", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
    }

    /// Runs `body` holding the lock. The kernel drops the lock if the process dies.
    func withLock<T>(_ body: () throws(LeaseStoreError) -> T) throws(LeaseStoreError) -> T {
        try systemCall("flock", path) { flock(fd, LOCK_EX) }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    deinit { close(fd) }
}
