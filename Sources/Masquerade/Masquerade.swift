import Foundation

/// Masquerade with nftables in a table of our own (`inet terway_edge`), driven through
/// `nft -f -` as kube-proxy's nftables mode does: one atomic transaction per change, the
/// nft tool doing the netlink encoding of sets, intervals and expressions (which would be a
/// second, larger codec to keep here). Idempotent: rules whose fingerprint is already
/// installed are adopted, not rewritten (a restarted agent leaves the table alone). Only
/// our table is ever named; `remove` deletes it (`--cleanup`).
///
/// ```swift
/// let masquerade = Masquerade()
/// try masquerade.apply(MasqueradeRules(podSubnets: [nodeSubnet], clusterRanges: plan.clusterRanges))
/// let status = try masquerade.status()     // installed, rules
/// ```
public struct Masquerade: Sendable {
    /// The nft executable.
    public var nft: String
    /// Run nft inside this network namespace (`/var/run/netns/NAME`) through nsenter; nil: ours.
    public var namespacePath: String?

    public init(nft: String = "nft", namespacePath: String? = nil) {
        self.nft = nft
        self.namespacePath = namespacePath
    }

    /// Installs `rules` unless the same rules are already there. Returns whether it wrote.
    @discardableResult
    public func apply(_ rules: MasqueradeRules) throws -> Bool {
        let current = try status()
        if current.installed, current.fingerprint == rules.fingerprint, current.rules == rules.ruleLines { return false }
        try run(["-f", "-"], stdin: rules.script)
        return true
    }

    /// Our table as the kernel has it; `installed` false when there is none.
    public func status() throws -> MasqueradeStatus {
        let result = try run(["list", "table", MasqueradeRules.family, MasqueradeRules.table], check: false)
        guard result.status == 0 else {
            // "No such file or directory": the table is not there.
            if result.error.contains("No such file or directory") { return MasqueradeStatus(installed: false) }
            throw MasqueradeError(command: "nft list table", status: result.status, output: result.error)
        }
        return MasqueradeStatus(listing: result.output)
    }

    /// Deletes our table (and with it every rule of ours). Absent already: nothing to do.
    public func remove() throws {
        try run(["-f", "-"], stdin: "add table \(MasqueradeRules.family) \(MasqueradeRules.table)\ndelete table \(MasqueradeRules.family) \(MasqueradeRules.table)\n")
    }

    @discardableResult
    private func run(_ arguments: [String], stdin: String? = nil, check: Bool = true) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        let argv = (namespacePath.map { ["nsenter", "--net=\($0)"] } ?? []) + [nft] + arguments
        process.executableURL = URL(fileURLWithPath: try Self.resolve(argv[0]))
        process.arguments = Array(argv.dropFirst())
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read the pipes before waiting, so a large listing cannot block nft (its stderr is a line or two).
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
        if check, result.0 != 0 {
            throw MasqueradeError(command: argv.joined(separator: " "), status: result.0, output: result.2)
        }
        return result
    }

    private static func resolve(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw MasqueradeError(command: name, status: 127, output: "not found in /usr/sbin, /usr/bin, /sbin, /bin: install nftables")
    }
}

/// nft failed: the command, its exit status and what it printed on stderr.
public struct MasqueradeError: Error, Hashable, Sendable, CustomStringConvertible {
    public let command: String
    public let status: Int32
    public let output: String

    public var description: String { "\(command) exited with \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))" }
}
