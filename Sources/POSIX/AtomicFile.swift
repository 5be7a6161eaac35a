import Glibc

/// A failed file operation (an atomic replacement, or a config read): which call, on which
/// path, and errno.
public struct FileReplaceError: Error, Equatable, Sendable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Files other programs read while we replace them (the subnet file, the CNI plugin binary,
/// its conflist): the new content goes to a temporary file beside the target, which is
/// fsynced and renamed over it, then the folder is fsynced. A reader opens the old file or
/// the new one, never a missing or a torn one, also after a crash.
public enum AtomicFile {
    /// Replaces `path` with `bytes`.
    public static func replace(_ path: String, with bytes: some Collection<UInt8>, mode: mode_t = 0o644) throws(FileReplaceError) {
        let contents = Array(bytes)
        try replace(path, mode: mode) { (fd, temporary) throws(FileReplaceError) in
            do throws(SystemCallError) { try writeAll(fd, contents) } catch {
                throw FileReplaceError(operation: "write", path: temporary, errno: error.errno)
            }
        }
    }

    /// Replaces `path` with a copy of the file at `source`, read in chunks (a binary).
    public static func replace(_ path: String, copying source: String, mode: mode_t = 0o755) throws(FileReplaceError) {
        let input = retryingEINTR { open(source, O_RDONLY | O_CLOEXEC) }
        guard input >= 0 else { throw FileReplaceError(operation: "open", path: source, errno: errno) }
        defer { close(input) }
        try replace(path, mode: mode) { (fd, temporary) throws(FileReplaceError) in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = retryingEINTR { buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) } }
                guard n >= 0 else { throw FileReplaceError(operation: "read", path: source, errno: errno) }
                if n == 0 { return }
                do throws(SystemCallError) { try writeAll(fd, buffer[..<n]) } catch {
                    throw FileReplaceError(operation: "write", path: temporary, errno: error.errno)
                }
            }
        }
    }

    /// The temporary name: beside the target (a rename never crosses file systems), and
    /// ending in neither `.conf`, `.conflist` nor `.json`, so no runtime loads it as a config.
    public static func temporaryPath(for path: String) -> String { "\(path).tmp.\(getpid())" }

    private static func replace(_ path: String, mode: mode_t,
                                fill: (Int32, String) throws(FileReplaceError) -> Void) throws(FileReplaceError) {
        let temporary = temporaryPath(for: path)
        let fd = retryingEINTR { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw FileReplaceError(operation: "open", path: temporary, errno: errno) }
        var failure: FileReplaceError?
        do { try fill(fd, temporary) } catch { failure = error }
        // The umask may have narrowed the mode open() applied.
        if failure == nil && fchmod(fd, mode) != 0 { failure = FileReplaceError(operation: "chmod", path: temporary, errno: errno) }
        if failure == nil && fsync(fd) != 0 { failure = FileReplaceError(operation: "fsync", path: temporary, errno: errno) }
        close(fd)
        if failure == nil && rename(temporary, path) != 0 {
            failure = FileReplaceError(operation: "rename", path: path, errno: errno)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        // The rename is durable once the folder's entry is on disk.
        let folder = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
