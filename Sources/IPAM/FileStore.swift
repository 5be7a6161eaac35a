import Glibc
import NetworkCore
import POSIX

/// Reservations as files in one directory, one per address (`10.0.3.7`, `fd00::7`), holding
/// an `IPAMRecord`; `lock` is the flock every mutation holds.
///
/// The owner index is a folder `owners/` with one file per attachment (`CONTAINERID:IFNAME`)
/// listing its addresses, one per line, so that ADD and DEL read only their own records.
/// It is written before the record (temporary file and rename), so after a SIGKILL at any
/// instant it lists every address its owner holds and maybe one it does not; readers check
/// each listed address against its record. A store without the folder (an older version's,
/// or one whose rebuild was cut short) gets it rebuilt from the records under the lock.
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
    private static let ownersFolder = "owners"

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
        if access(path(Self.ownersFolder), F_OK) != 0 { try rebuildOwnerIndex() }
        return try body()
    }

    public func isReserved(_ address: IPAddress) throws -> Bool {
        access(path(address.description), F_OK) == 0
    }

    public func addresses(of owner: IPAMOwner) throws -> [IPAddress] {
        try indexed(owner).filter { try readFile(path($0.description)).flatMap(IPAMRecord.decode) == owner }.sorted()
    }

    public func reservations() throws -> [IPAddress: IPAMOwner?] {
        var result: [IPAddress: IPAMOwner?] = [:]
        for name in try entries(of: directory) {
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
        let listed = try addresses(of: owner)
        if !listed.contains(address) {
            try replace(indexPath(owner), with: IPAMOwnerIndex.encode(listed + [address]), durably: false)
        }
        try replace(final, with: IPAMRecord.encode(owner), durably: true)
        return true
    }

    public func release(_ address: IPAddress) throws {
        let final = path(address.description)
        guard unlink(final) == 0 || errno == ENOENT else { throw IPAMError.io(operation: "unlink", path: final, errno: errno) }
    }

    public func forget(_ owner: IPAMOwner) throws {
        let file = try indexPath(owner)
        guard unlink(file) == 0 || errno == ENOENT else { throw IPAMError.io(operation: "unlink", path: file, errno: errno) }
    }

    /// Writes the index into a fresh folder and swaps it in with two renames; a crash in
    /// between leaves no `owners/`, which the next `locked` rebuilds.
    public func rebuildOwnerIndex() throws {
        var byOwner: [IPAMOwner: [IPAddress]] = [:]
        for case let (address, owner?) in try reservations() { byOwner[owner, default: []].append(address) }
        let fresh = path(Self.ownersFolder + ".new"), old = path(Self.ownersFolder + ".old"), live = path(Self.ownersFolder)
        try removeFolder(fresh)
        try removeFolder(old)
        guard mkdir(fresh, 0o755) == 0 else { throw IPAMError.io(operation: "mkdir", path: fresh, errno: errno) }
        for (owner, addresses) in byOwner {
            try replace(fresh + "/" + (try Self.indexName(owner)), with: IPAMOwnerIndex.encode(addresses), durably: false)
        }
        if rename(live, old) != 0 && errno != ENOENT { throw IPAMError.io(operation: "rename", path: live, errno: errno) }
        guard rename(fresh, live) == 0 else { throw IPAMError.io(operation: "rename", path: fresh, errno: errno) }
        try removeFolder(old)
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

    // MARK: - Owner index

    private static func indexName(_ owner: IPAMOwner) throws(IPAMError) -> String {
        guard let name = IPAMOwnerIndex.fileName(owner) else { throw .invalidPool("owner \(owner) cannot name an index file") }
        return name
    }

    private func indexPath(_ owner: IPAMOwner) throws(IPAMError) -> String {
        path(Self.ownersFolder + "/" + (try Self.indexName(owner)))
    }

    /// What the index lists for `owner`, unchecked.
    private func indexed(_ owner: IPAMOwner) throws -> [IPAddress] {
        try readFile(try indexPath(owner)).map(IPAMOwnerIndex.decode) ?? []
    }

    private func removeFolder(_ folder: String) throws(IPAMError) {
        guard access(folder, F_OK) == 0 else { return }
        for name in try entries(of: folder) { unlink(folder + "/" + name) }
        guard rmdir(folder) == 0 || errno == ENOENT else { throw .io(operation: "rmdir", path: folder, errno: errno) }
    }

    // MARK: - System calls

    /// Writes `bytes` to a temporary file beside `file` and renames it onto `file`, so a
    /// reader sees the old content or the new, never a torn one; `durably` fsyncs first.
    private func replace(_ file: String, with bytes: [UInt8], durably: Bool) throws(IPAMError) {
        let slash = file.lastIndex(of: "/")!
        let temporary = String(file[...slash]) + Self.temporaryPrefix + String(file[file.index(after: slash)...])
        try create(temporary, holding: bytes, durably: durably)
        guard rename(temporary, file) == 0 else {
            let error = errno
            unlink(temporary)
            throw .io(operation: "rename", path: file, errno: error)
        }
    }

    private func create(_ file: String, holding bytes: [UInt8], durably: Bool) throws(IPAMError) {
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
        guard !durably || fsync(fd) == 0 else {
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

    private func entries(of folder: String) throws(IPAMError) -> [String] {
        guard let dir = opendir(folder) else { throw .io(operation: "opendir", path: folder, errno: errno) }
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
