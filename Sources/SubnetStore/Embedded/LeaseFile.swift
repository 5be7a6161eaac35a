import Foundation

/// The file operations of the embedded store (the format is `LeaseDatabase`'s).
///
/// - `append` adds log lines with one `write` and makes them durable with `fdatasync`.
/// - `replace` writes a whole snapshot to `<file>.tmp`, fsyncs it, renames it over the
///   file and fsyncs the folder, so the name points at the old or the new file, never at half.
/// Both run under the writer lock; readers need none (see `LeaseFile.Reader`).
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

    /// An open descriptor on the current file, nil when there is none. It keeps seeing the
    /// version it opened even if a writer renames a new snapshot over the name meanwhile.
    func openForReading() throws(LeaseStoreError) -> Reader? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            try systemCall("open", path) { fd }
        }
        return Reader(fd: fd, path: path)
    }

    /// Cuts a torn tail at `validEnd` when there is one, then appends `bytes` durably.
    func append(_ bytes: [UInt8], validEnd: Int) throws(LeaseStoreError) {
        let fd = try systemCall("open", path) { open(path, O_WRONLY | O_APPEND | O_CLOEXEC) }
        defer { close(fd) }
        var info = stat()
        try systemCall("fstat", path) { fstat(fd, &info) }
        if Int(info.st_size) > validEnd { try systemCall("ftruncate", path) { ftruncate(fd, off_t(validEnd)) } }
        try writeAll(fd, bytes, path)
        try systemCall("fdatasync", path) { fdatasync(fd) }
    }

    /// Replaces the file with `bytes` (see the type's comment for the order of steps).
    func replace(with bytes: [UInt8]) throws(LeaseStoreError) {
        let tmp = temporaryPath
        let fd = try systemCall("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        do {
            try writeAll(fd, bytes, tmp)
            try systemCall("fsync", tmp) { fsync(fd) }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try systemCall("rename", path) { rename(tmp, path) }
        // Persist the rename itself: without this a power loss can bring back the old file.
        let dir = try systemCall("open", directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(dir) }
        try systemCall("fsync", directory) { fsync(dir) }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(LeaseStoreError) {
        var written = 0
        while written < bytes.count {
            written += try systemCall("write", path) {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            }
        }
    }

    /// One open version of the file.
    final class Reader {
        let fd: Int32
        let path: String

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        var size: Int {
            get throws(LeaseStoreError) {
                var info = stat()
                try systemCall("fstat", path) { fstat(fd, &info) }
                return Int(info.st_size)
            }
        }

        /// Up to `limit` bytes from `offset` (fewer at the end of the file). The buffer is
        /// sized by what the file holds past `offset`: a watcher's poll mostly finds nothing
        /// new, and a 1 MiB buffer each time was most of an idle agent's work.
        func read(from offset: Int, limit: Int = .max) throws(LeaseStoreError) -> [UInt8] {
            var bytes: [UInt8] = []
            let remaining = try size - offset
            guard remaining > 0 else { return [] }
            var chunk = [UInt8](repeating: 0, count: min(limit, remaining, 1 << 20))
            while bytes.count < limit {
                let wanted = min(chunk.count, limit - bytes.count), position = off_t(offset + bytes.count)
                let count = try systemCall("pread", path) { chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, wanted, position) } }
                if count == 0 { break }
                bytes += chunk[..<count]
            }
            return bytes
        }

        deinit { close(fd) }
    }
}
