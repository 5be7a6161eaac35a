import Foundation

/// The file operations of the embedded store. Writes replace the whole file atomically:
/// write a temporary file, fsync it, rename it over the database, fsync the directory. A
/// crash at any point leaves either the old or the new database under the real name.
struct LeaseFile: Sendable {
    let path: String
    var temporaryPath: String { path + ".tmp" }
    var lockPath: String { path + ".lock" }
    var directory: String { (path as NSString).deletingLastPathComponent }

    /// Creates the folder (0755) when it does not exist yet.
    func createDirectory() throws(LeaseStoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unavailable(store: path, reason: "cannot create folder \(directory): \(error.localizedDescription)")
        }
    }

    /// The whole file (or its first `limit` bytes) and its identity, nil when it does not
    /// exist. Readers need no lock: `rename` swaps whole files, so an open descriptor always
    /// sees one complete version.
    func read(limit: Int = .max) throws(LeaseStoreError) -> (bytes: [UInt8], identity: FileIdentity)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            try systemCall("open", path) { fd }
        }
        defer { close(fd) }
        let identity = try FileIdentity(fd: fd, path: path)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(limit, 1 << 20))
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let count = try systemCall("read", path) { chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) } }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return (bytes, identity)
    }

    /// Replaces the file with `bytes` (see the type's comment for the order of steps) and
    /// returns the identity of the new file.
    func replace(with bytes: [UInt8]) throws(LeaseStoreError) -> FileIdentity {
        let tmp = temporaryPath
        let fd = try systemCall("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        do {
            var written = 0
            while written < bytes.count {
                written += try systemCall("write", tmp) {
                    bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
                }
            }
            try systemCall("fsync", tmp) { fsync(fd) }
        } catch {
            close(fd)
            throw error
        }
        defer { close(fd) }
        let identity = try FileIdentity(fd: fd, path: tmp)
        try systemCall("rename", path) { rename(tmp, path) }
        // Persist the rename itself: without this a power loss can bring back the old name.
        let dir = try systemCall("open", directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(dir) }
        try systemCall("fsync", directory) { fsync(dir) }
        return identity
    }
}

/// Inode, size and modification time: which version of the file a cache was read from. Every
/// write makes a new inode, so a changed file shows here even if a foreign writer kept the
/// header's revision.
struct FileIdentity: Hashable, Sendable {
    let inode: UInt64
    let size: Int64
    let modified: timespec

    init(fd: Int32, path: String) throws(LeaseStoreError) {
        var info = stat()
        try systemCall("fstat", path) { fstat(fd, &info) }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = info.st_mtim
    }

    static func == (a: FileIdentity, b: FileIdentity) -> Bool {
        a.inode == b.inode && a.size == b.size && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(inode)
        hasher.combine(size)
    }
}

/// An exclusive `flock` on `<database>.lock`, held by one writer across all processes of the
/// host. A separate lock file, because the database file itself is replaced on every write.
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
