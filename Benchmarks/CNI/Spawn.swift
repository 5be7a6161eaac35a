import Glibc

/// Runs a program to completion with posix_spawn (no shell, no Foundation), feeding
/// `stdin` and collecting stdout and stderr together. Returns the exit status, the
/// output, the wall time from spawn to reaped exit and the CPU time (user + system) of the
/// process and of the processes it waited for (the reference `bridge` runs `host-local`),
/// in nanoseconds. On a loaded machine the wall time mostly measures waiting for a core.
func spawnAndWait(_ argv: [String], environment: [String], stdin: String)
    -> (status: Int32, output: String, nanoseconds: UInt64, cpuNanoseconds: UInt64) {
    var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
    guard pipe(&inPipe) == 0, pipe(&outPipe) == 0 else { return (-1, "pipe failed", 0, 0) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 2)
    // The child keeps only 0, 1 and 2: a stray write end would keep its stdin from ending.
    for fd in inPipe + outPipe { posix_spawn_file_actions_addclose(&actions, fd) }
    defer { posix_spawn_file_actions_destroy(&actions) }

    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup($0) } + [nil]
    defer { (cArgs + cEnv).forEach { free($0) } }

    let start = now()
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
    close(inPipe[0])
    close(outPipe[1])
    guard rc == 0 else {
        close(inPipe[1])
        close(outPipe[0])
        return (-1, "posix_spawn \(argv[0]): \(String(cString: strerror(rc)))", 0, 0)
    }
    let bytes = Array(stdin.utf8)
    _ = bytes.withUnsafeBytes { write(inPipe[1], $0.baseAddress, $0.count) }
    close(inPipe[1])
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(outPipe[0], $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        output += buffer[..<n]
    }
    close(outPipe[0])
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let elapsed = now() - start
    let cpu = nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime)
    let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitCode, String(decoding: output, as: UTF8.self), elapsed, cpu)
}

func nanoseconds(_ time: timeval) -> UInt64 {
    UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1000
}

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs a helper command (ip netns add/del) and fails loudly when it fails.
func runChecked(_ argv: [String]) throws {
    let result = spawnAndWait(argv, environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], stdin: "")
    guard result.status == 0 else { throw BenchError("`\(argv.joined(separator: " "))` exited \(result.status): \(result.output)") }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
