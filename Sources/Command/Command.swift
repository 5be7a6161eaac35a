import Foundation

/// What a finished command printed and how it ended.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public var succeeded: Bool { status == 0 }

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// A command that ended with a non-zero status; the message carries its output.
public struct CommandFailure: Error, CustomStringConvertible {
    public let argv: [String]
    public let result: CommandResult
    public var description: String {
        "`\(argv.joined(separator: " "))` exited \(result.status): \(result.stderr)\(result.stdout)"
    }
}

/// A program that is not installed.
public struct ProgramNotFound: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "`\(name)` is not installed; run scripts/install-deps.sh" }
}

/// Runs a program to completion (no shell), with optional standard input and environment;
/// one still running after `timeout` seconds is killed by its PID (`CommandTimedOut`).
@discardableResult
public func run(_ argv: [String], stdin: String? = nil, environment: [String: String]? = nil,
                check: Bool = true, timeout: Double = 300) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try resolveExecutable(argv[0]))
    process.arguments = Array(argv.dropFirst())
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    // A program still running after `timeout` seconds is killed by its PID: a hung child (a
    // CLI waiting on a hung daemon) must not hang the caller with it. Its own thread too.
    let pid = process.processIdentifier
    let finished = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var timedOut = false
    Thread {
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(pid, SIGKILL)
        }
    }.start()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes before waiting so that a chatty child cannot block on a full pipe; on a
    // thread of its own, as callers may hold every worker of the dispatch pool.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    group.enter()
    Thread {
        outData = out.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }.start()
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    finished.signal()
    if timedOut { throw CommandTimedOut(argv: argv, seconds: timeout) }
    let result = CommandResult(status: process.terminationStatus,
                               stdout: String(decoding: outData, as: UTF8.self),
                               stderr: String(decoding: errData, as: UTF8.self))
    if check && !result.succeeded { throw CommandFailure(argv: argv, result: result) }
    return result
}

/// A program `run` killed because it was still running after its timeout.
public struct CommandTimedOut: Error, CustomStringConvertible {
    public let argv: [String]
    public let seconds: Double
    public var description: String { "`\(argv.joined(separator: " "))` still running after \(seconds) s: killed" }
}

/// Finds a program on PATH (plus the sbin folders, where BIRD and iproute2 live).
public func resolveExecutable(_ name: String) throws -> String {
    if name.contains("/") { return name }
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/lib/frr:/usr/lib/cni"
    for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
        return "\(dir)/\(name)"
    }
    throw ProgramNotFound(name: name)
}

/// Polls `condition` until it holds or `timeout` seconds pass; returns whether it held.
public func waitUntil(timeout: Double, interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(useconds_t(interval * 1_000_000))
    }
    return try condition()
}
