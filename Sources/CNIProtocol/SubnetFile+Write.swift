import POSIX

/// A failed write of the subnet file: which call, on which path, and errno.
public typealias SubnetFileError = FileReplaceError

extension SubnetFile {
    /// Replaces the file at `path` atomically (`AtomicFile`): a plugin reading concurrently
    /// sees the old file or the new one, never a torn one, also after a crash.
    public func write(to path: String) throws(SubnetFileError) {
        try AtomicFile.replace(path, with: Array((json.serialized() + "\n").utf8))
    }
}
