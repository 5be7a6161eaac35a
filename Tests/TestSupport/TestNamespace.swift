import Foundation

/// A network namespace made for one test (`te-<label>-<random>`) and deleted when the
/// value is released, including after a failed expectation. Never the root namespace.
public final class TestNamespace: @unchecked Sendable {
    public let name: String
    public var path: String { "/var/run/netns/\(name)" }
    private var deleted = false

    /// Creates the namespace and brings its loopback up. Names stay within the kernel's
    /// 15-character limit for the veth names tests derive from them.
    public init(_ label: String) throws {
        try requireRoot()
        let suffix = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
        name = "te-\(label.prefix(6))-\(suffix)"
        try run(["ip", "netns", "add", name])
        do {
            try exec(["ip", "link", "set", "lo", "up"])
        } catch {
            delete()
            throw error
        }
    }

    /// Runs a program inside the namespace. `ip netns exec` remounts /sys; container
    /// runtimes need `nsenter` instead, see `execNsenter`.
    @discardableResult
    public func exec(_ argv: [String], stdin: String? = nil, environment: [String: String]? = nil,
                     check: Bool = true) throws -> CommandResult {
        try run(["ip", "netns", "exec", name] + argv, stdin: stdin, environment: environment, check: check)
    }

    /// Runs a program inside the namespace without remounting /sys.
    @discardableResult
    public func execNsenter(_ argv: [String], stdin: String? = nil, environment: [String: String]? = nil,
                            check: Bool = true) throws -> CommandResult {
        try run(["nsenter", "--net=\(path)"] + argv, stdin: stdin, environment: environment, check: check)
    }

    /// Starts a long-running program inside the namespace; stop it with `terminate()`.
    public func spawn(_ argv: [String], environment: [String: String]? = nil, logFile: String? = nil) throws -> BackgroundProcess {
        try BackgroundProcess(["ip", "netns", "exec", name] + argv, environment: environment, logFile: logFile)
    }

    /// Connects this namespace to `other` with a veth pair and gives each end an address.
    public func link(to other: TestNamespace, localName: String, remoteName: String,
                     localAddresses: [String], remoteAddresses: [String]) throws {
        try run(["ip", "link", "add", localName, "netns", name, "type", "veth", "peer", "name", remoteName, "netns", other.name])
        for (ns, ifname, addresses) in [(self, localName, localAddresses), (other, remoteName, remoteAddresses)] {
            for address in addresses {
                try ns.exec(["ip", "addr", "add", address, "dev", ifname] + (address.contains(":") ? ["nodad"] : []))
            }
            try ns.exec(["ip", "link", "set", ifname, "up"])
        }
    }

    /// Deletes the namespace; its veth ends and the processes' sockets go with it.
    public func delete() {
        guard !deleted else { return }
        deleted = true
        _ = try? run(["ip", "netns", "delete", name], check: false)
    }

    deinit { delete() }
}

/// A program left running for the length of a test and stopped by its PID (never by name).
public final class BackgroundProcess: @unchecked Sendable {
    public let argv: [String]
    private let process: Process

    public init(_ argv: [String], environment: [String: String]? = nil, logFile: String? = nil) throws {
        self.argv = argv
        process = Process()
        process.executableURL = URL(fileURLWithPath: try resolveExecutable(argv[0]))
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
        if let logFile {
            // Failing to create it fails opening it, just below, with the reason.
            _ = FileManager.default.createFile(atPath: logFile, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    /// The exit status once it ended (wait for `isRunning` to turn false first).
    public var terminationStatus: Int32 { process.terminationStatus }

    /// Sends `signal` to the process by PID.
    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// SIGTERM, then SIGKILL if it has not ended within `grace` seconds; waits for the end.
    public func terminate(grace: Double = 3) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { terminate(grace: 1) }
}
