#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed write of the subnet file: which call, on which path, and errno.
public struct SubnetFileError: Error, Equatable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

extension SubnetFile {
    /// Replaces the file at `path` atomically: the JSON goes to a temporary file beside it,
    /// which is fsynced and renamed over `path`, and the folder is fsynced. A plugin reading
    /// concurrently sees the old file or the new one, never a torn one, also after a crash.
    public func write(to path: String) throws(SubnetFileError) {
        let temporary = "\(path).tmp.\(getpid())"
        let bytes = Array((json.serialized() + "\n").utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SubnetFileError(operation: "open", path: temporary, errno: Glibc.errno) }
        var failure: SubnetFileError?
        var written = 0
        while written < bytes.count && failure == nil {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n >= 0 {
                written += n
            } else if Glibc.errno != EINTR {
                failure = SubnetFileError(operation: "write", path: temporary, errno: Glibc.errno)
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = SubnetFileError(operation: "fsync", path: temporary, errno: Glibc.errno) }
        close(fd)
        if failure == nil && rename(temporary, path) != 0 {
            failure = SubnetFileError(operation: "rename", path: path, errno: Glibc.errno)
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
