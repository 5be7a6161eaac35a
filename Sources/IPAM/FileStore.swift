import Glibc
import NetworkCore
import POSIX

/// Reservations as files in one directory, one per address (`10.0.3.7`, `fd00::7`), holding
/// an `IPAMRecord`; `lock` is the flock every mutation holds.
///
/// A reservation is written to an exclusively created temporary file, fsynced, and renamed
/// onto its address (which the lock guarantees is free): after a SIGKILL or a power loss at
/// any instant an address has its complete record or none, never a torn one. Leftover
/// temporary files from a killed writer are removed under the lock.
///
/// The directory is not fsynced after the rename or a release: that would only make the
/// name change itself survive a power loss, and a power loss also ends every pod the store
/// describes. A reservation or release lost that way leaves a record for a dead pod, which
/// the runtime's DEL or GC frees, or frees an address nobody uses. On ext4 under load each
/// fsync costs milliseconds, so ADD pays for one and DEL for none.
public final class FileStore: IPAMStore {
    public let directory: String
    private var lockDescriptor: Int32 = -1
    private static let temporaryPrefix = ".tmp-"
    private static let lastReservedPrefix = "last_reserved_ip."

    /// Creates the directory (and its parents) when missing.
    public init(directory: String) throws(IPAMError) {
        self.directory = directory
        try Self.makeDirectories(directory)
    }

    private static func makeDirectories(_ path: String) throws(IPAMError) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw .io(operation: "mkdir", path: prefix, errno: errno) }
        }
    }

    private func path(_ name: String) -> String { directory + "/" + name }

    public func locked<T>(_ body: () throws -> T) throws -> T {
        // Re-entrant within one process: an outer `locked` already holds the flock.
        if lockDescriptor >= 0 { return try body() }
        let fd = open(path("lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw IPAMError.io(operation: "open", path: path("lock"), errno: errno) }
        guard retryingEINTR({ flock(fd, LOCK_EX) }) == 0 else {
            let error = errno
            close(fd)
            throw IPAMError.io(operation: "flock", path: path("lock"), errno: error)
        }
        lockDescriptor = fd
        defer {
            lockDescriptor = -1
            close(fd) // releases the flock
        }
        return try body()
    }

    public func reservations() throws -> [IPAddress: IPAMOwner?] {
        var result: [IPAddress: IPAMOwner?] = [:]
        for name in try entries() {
            if name.hasPrefix(Self.temporaryPrefix) {
                // Only a writer holding the lock makes these; we hold it, so this one is a crash's leftover.
                unlink(path(name))
                continue
            }
            guard let address = IPAddress(name), address.description == name else { continue }
            result[address] = try readFile(path(name)).flatMap { IPAMRecord.decode($0) }
        }
        return result
    }

    public func reserve(_ address: IPAddress, for owner: IPAMOwner) throws -> Bool {
        let final = path(address.description)
        guard access(final, F_OK) != 0 else { return false }
        let temporary = path(Self.temporaryPrefix + address.description)
        try writeDurably(IPAMRecord.encode(owner), to: temporary)
        guard rename(temporary, final) == 0 else {
            let error = errno
            unlink(temporary)
            throw IPAMError.io(operation: "rename", path: final, errno: error)
        }
        return true
    }

    public func release(_ address: IPAddress) throws {
        let final = path(address.description)
        guard unlink(final) == 0 || errno == ENOENT else { throw IPAMError.io(operation: "unlink", path: final, errno: errno) }
    }

    public func lastReserved(_ family: IPFamily) throws -> IPAddress? {
        guard let bytes = try readFile(path(Self.lastReservedPrefix + (family == .v4 ? "4" : "6"))),
              let text = String(validating: bytes, as: UTF8.self), let address = IPAddress(text), address.family == family
        else { return nil }
        return address
    }

    /// A hint only, so it is overwritten in place without fsync: a crash can leave it torn
    /// or empty, which reads as no hint and just restarts the round robin at the start.
    public func setLastReserved(_ address: IPAddress) throws {
        let file = path(Self.lastReservedPrefix + (address.family == .v4 ? "4" : "6"))
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw IPAMError.io(operation: "open", path: file, errno: errno) }
        defer { close(fd) }
        let bytes = Array(address.description.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw IPAMError.io(operation: "write", path: file, errno: errno)
        }
    }

    // MARK: - System calls

    private func writeDurably(_ bytes: [UInt8], to file: String) throws(IPAMError) {
        var fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 && errno == EEXIST {
            unlink(file) // a killed writer's leftover
            fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { throw .io(operation: "create", path: file, errno: errno) }
        do {
            try writeAll(fd, bytes)
        } catch {
            close(fd)
            unlink(file)
            throw .io(operation: "write", path: file, errno: error.errno)
        }
        guard fsync(fd) == 0 else {
            let error = errno
            close(fd)
            unlink(file)
            throw .io(operation: "fsync", path: file, errno: error)
        }
        close(fd)
    }

    /// The file's bytes, or nil when it does not exist.
    private func readFile(_ file: String) throws(IPAMError) -> [UInt8]? {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .io(operation: "open", path: file, errno: errno)
        }
        defer { close(fd) }
        do {
            // More than 4 KiB is not a record; the decoder refuses it.
            return try readUntilEnd(fd, limit: 4096, chunk: 1024)
        } catch {
            throw .io(operation: "read", path: file, errno: error.errno)
        }
    }

    private func entries() throws(IPAMError) -> [String] {
        guard let dir = opendir(directory) else { throw .io(operation: "opendir", path: directory, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
