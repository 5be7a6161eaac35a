import Foundation

/// One agent per node: the running agent holds an exclusive lock on a file beside its
/// control socket for its whole life (the kernel drops it when the process ends, also on
/// SIGKILL). A second agent is refused; `--cleanup` waits on it for a leaving agent to end.
final class AgentLock: Sendable {
    let path: String
    private let fd: Int32

    /// Takes the lock, waiting up to `timeout` (zero: not at all).
    init(path: String, timeout: Duration = .zero) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigRefused(description: "cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
        let deadline = ContinuousClock.now + timeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else {
                close(fd)
                throw ConfigRefused(description: "another terway-edged holds \(path); stop it first")
            }
            usleep(20_000)
        }
    }

    deinit { close(fd) }
}

extension AgentConfig {
    /// The lock file of the running agent, beside its control socket.
    var lockFile: String { controlSocket + ".lock" }
}
