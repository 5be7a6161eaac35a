import Command
import Foundation

/// Daemons of the lab outlive `lab up`: each starts in its own session (a Ctrl-C of `lab up`
/// does not reach it; `lab down` stops it by PID), stdin from /dev/null, output to its log,
/// no other descriptor.
enum DetachedProcess {
    /// glibc's POSIX_SPAWN_SETSID (spawn.h), which the Glibc module does not import.
    private static let setsid: Int16 = 0x80

    static func spawn(_ argv: [String], log: String, environment: [String: String]? = nil) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A daemon starts as from a shell: no signal blocked (the thread spawning it may
        // block SIGTERM, as Swift's concurrency threads do) and every signal at its default.
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Self.setsid | Int16(POSIX_SPAWN_SETSIGMASK) | Int16(POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours: a pipe `lab up`'s caller reads would stay open in the daemon
        // and the caller would wait for its end forever. (glibc's addclosefrom_np is not
        // imported; every inherited descriptor is marked close-on-exec instead.)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(name), fd > 2 { _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) }
        }
        let program = try resolveExecutable(argv[0])
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: Int32 = 0
        let status = withCStrings(argv) { args in
            withCStrings(env) { envp in posix_spawn(&pid, program, &actions, &attributes, args, envp) }
        }
        guard status == 0 else { throw LabError("cannot start \(argv.joined(separator: " ")): \(String(cString: strerror(status)))") }
        return pid
    }

    /// `/proc/PID/stat` field 22 (start time in clock ticks), nil when there is no such process.
    static func startTime(_ pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, start time field 22.
        return fields.count > 19 ? String(fields[19]) : nil
    }

    /// Whether the process still runs (a zombie child of ours is reaped and counts as ended).
    static func isRunning(_ pid: Int32) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return false }
        return !text[text.index(after: close)...].hasPrefix(" Z")
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; reaps it when it is our child.
    static func stop(_ pid: Int32, grace: Double = 5) {
        guard kill(pid, SIGTERM) == 0 else { return }
        let deadline = Date().addingTimeInterval(grace)
        while isRunning(pid) && Date() < deadline { usleep(20_000) }
        if isRunning(pid) { kill(pid, SIGKILL) }
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
