import Foundation

/// What a finished command printed and how it ended.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public var succeeded: Bool { status == 0 }
}

/// Thrown when a command a test needs fails; the message carries its output.
public struct CommandFailure: Error, CustomStringConvertible {
    public let argv: [String]
    public let result: CommandResult
    public var description: String {
        "`\(argv.joined(separator: " "))` exited \(result.status): \(result.stderr)\(result.stdout)"
    }
}

/// Runs a program to completion (no shell), with optional standard input and environment.
/// A program still running after `timeout` seconds is killed by its PID and the call throws:
/// a hung child (a CLI waiting on a hung daemon) must not hang the test run with it.
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
    let pid = process.processIdentifier
    nonisolated(unsafe) var timedOut = false
    let watchdog = DispatchWorkItem {
        timedOut = true
        kill(pid, SIGKILL)
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes before waiting so that a chatty child cannot block on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    watchdog.cancel()
    if timedOut { throw TestEnvironmentError("`\(argv.joined(separator: " "))` still running after \(timeout) s: killed") }
    let result = CommandResult(status: process.terminationStatus,
                               stdout: String(decoding: outData, as: UTF8.self),
                               stderr: String(decoding: errData, as: UTF8.self))
    if check && !result.succeeded { throw CommandFailure(argv: argv, result: result) }
    return result
}

/// Finds a program on PATH (plus the sbin folders, where BIRD and iproute2 live).
public func resolveExecutable(_ name: String) throws -> String {
    if name.contains("/") { return name }
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/lib/frr:/usr/lib/cni"
    for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
        return "\(dir)/\(name)"
    }
    throw TestEnvironmentError("`\(name)` is not installed; run scripts/install-deps.sh")
}

/// The reason a test cannot run here. Tests throw it rather than skip: CI is root and has
/// every package, so a missing part is a failure to be fixed, not a test to pass over.
public struct TestEnvironmentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Fails with the reason when the test lacks root (namespaces, netlink writes, daemons on port 179).
public func requireRoot() throws {
    guard geteuid() == 0 else {
        throw TestEnvironmentError("this test builds network namespaces and needs root (CI runs as root)")
    }
}

/// The folder that holds the package's built executables (`swift build --show-bin-path`).
public func builtExecutable(_ name: String) throws -> String {
    if let dir = ProcessInfo.processInfo.environment["TERWAY_EDGE_BIN"] {
        return "\(dir)/\(name)"
    }
    // `swift test` runs the test bundle from the same folder as the executables.
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for dir in [bundle, bundle.deletingLastPathComponent()] {
        let candidate = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw TestEnvironmentError("`\(name)` is not built; run `swift build` first or set TERWAY_EDGE_BIN")
}

/// A scratch folder removed when the test is done.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "te") throws {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestEnvironmentError("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    public func write(_ name: String, _ contents: String) throws {
        try contents.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
