import Foundation

/// Our speaker, `terway-edge bgp serve --config bgp.yaml`, run from the package's build
/// folder inside a `te-` namespace, with its YAML and control socket in a scratch folder.
/// Queried with `terway-edge bgp peers|routes --socket S --output json`.
public final class BGPSpeakerProcess: @unchecked Sendable {
    public let namespace: TestNamespace
    public let logFile: String
    public let controlSocket: String
    public private(set) var process: BackgroundProcess
    private let directory: TemporaryDirectory
    private let executable: String
    private var runs = 1

    /// One peer of the speaker as the YAML spells it.
    public struct Peer: Sendable {
        public var neighbor: BGPNeighbor
        /// Seconds between connection attempts (the speaker's default, 120, is too slow for tests).
        public var connectRetryTime: Int
        /// The `import` and `export` lists; nil leaves the key out (RFC 8212: nothing on eBGP).
        public var importFilter: [String]?
        public var exportFilter: [String]?
        /// Further peer keys, as YAML lines indented for the peer's mapping.
        public var extraYAML: String
        public init(_ neighbor: BGPNeighbor, connectRetryTime: Int = 1, importFilter: [String]? = ["any"],
                    exportFilter: [String]? = ["any"], extraYAML: String = "") {
            self.neighbor = neighbor
            self.connectRetryTime = connectRetryTime
            self.importFilter = importFilter
            self.exportFilter = exportFilter
            self.extraYAML = extraYAML
        }
    }

    public init(in namespace: TestNamespace, localAS: UInt32, routerID: String, listen: String,
                peers: [Peer], originate: [String], communities: [String] = [],
                gracefulRestartTime: Int? = nil, startTimeout: Double = 60, extraYAML: String = "") throws {
        self.namespace = namespace
        executable = try builtExecutable("terway-edge")
        directory = try TemporaryDirectory("te-speaker")
        logFile = directory.file("speaker.log")
        controlSocket = directory.file("bgp.sock")
        var yaml = """
        localAS: \(localAS)
        routerID: \(routerID)
        listen: \(listen)
        controlSocket: \(controlSocket)

        """
        if let gracefulRestartTime { yaml += "gracefulRestart: { restartTime: \(gracefulRestartTime) }\n" }
        yaml += "peers:\n"
        for peer in peers {
            let n = peer.neighbor
            yaml += """
              - address: \(n.address)
                as: \(n.asn)
                passive: \(n.passive)
                holdTime: \(n.holdTime)
                connectRetryTime: \(peer.connectRetryTime)

            """
            if let password = n.password { yaml += "    password: \"\(password)\"\n" }
            if let max = n.maxPrefixes { yaml += "    maxPrefixes: \(max)\n" }
            if n.ttlSecurity { yaml += "    ttlSecurity: 1\n" }
            if let list = peer.importFilter { yaml += "    import: [\(list.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
            if let list = peer.exportFilter { yaml += "    export: [\(list.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
            yaml += peer.extraYAML
        }
        yaml += originate.isEmpty ? "originate: []\n" : "originate:\n"
        let quoted = communities.map { "\"\($0)\"" }.joined(separator: ", ")
        for prefix in originate { yaml += "  - prefix: \(prefix)\n    communities: [\(quoted)]\n" }
        // Top-level keys beyond these (`kernel:` for the RouteSync tests).
        yaml += extraYAML
        try directory.write("bgp.yaml", yaml)
        process = try Self.launch(executable, namespace: namespace, directory: directory, logFile: logFile, run: 1)
        try waitForControlSocket(timeout: startTimeout)
    }

    /// Each run logs to its own file (`speaker.log.1`, `.2`, ...), so a restart keeps the first run's log.
    private static func launch(_ executable: String, namespace: TestNamespace, directory: TemporaryDirectory,
                               logFile: String, run: Int) throws -> BackgroundProcess {
        try namespace.spawn([executable, "bgp", "serve", "--config", directory.file("bgp.yaml")],
                            logFile: "\(logFile).\(run)")
    }

    /// The bound only ends a hang: on a loaded machine a speaker that reads a large table
    /// at start may take well over 15 s. A speaker that exits ends the wait at once.
    private func waitForControlSocket(timeout: Double = 60) throws {
        let up = waitUntil(timeout: timeout, interval: 0.05) {
            !process.isRunning || (try? cli(["bgp", "peers"])) != nil
        } && process.isRunning
        if !up {
            process.terminate()
            throw TestEnvironmentError("terway-edge bgp serve did not come up:\n\(logTail())")
        }
    }

    /// The speaker's output so far (all runs), for failure messages.
    public func logTail(lines: Int = 60) -> String {
        let text = (1...runs).map { "\(logFile).\($0)" }.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
        return "--- terway-edge bgp serve log ---\n"
            + text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    @discardableResult
    private func cli(_ arguments: [String]) throws -> String {
        try run([executable] + arguments + ["--socket", controlSocket, "--output", "json"]).stdout
    }

    /// `bgp peers --output json`: one object per peer with the keys of issue 10.
    public func peers() throws -> [[String: Any]] {
        let output = try cli(["bgp", "peers"])
        guard let array = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] else {
            throw TestEnvironmentError("bgp peers did not print a JSON array: \(output.prefix(500))")
        }
        return array
    }

    public func peer(_ address: String) throws -> [String: Any]? {
        try peers().first { $0["address"] as? String == address }
    }

    public func state(of peer: String) throws -> String? {
        try self.peer(peer)?["state"] as? String
    }

    public func isEstablished(_ peer: String) throws -> Bool {
        try state(of: peer) == "Established"
    }

    public func waitEstablished(_ peer: String, timeout: Double = 60) throws -> Bool {
        try waitUntil(timeout: timeout, interval: 0.2) { try isEstablished(peer) }
    }

    /// The peer's last NOTIFICATION as (code, subcode), whichever way the JSON spells it:
    /// an object with `code`/`subcode`, or text that starts with `code/subcode`.
    public func lastError(of peer: String) throws -> (code: Int, subcode: Int)? {
        guard let value = try self.peer(peer)?["lastError"] else { return nil }
        if let object = value as? [String: Any], let code = object["code"] as? Int {
            return (code, object["subcode"] as? Int ?? 0)
        }
        guard let text = value as? String else { return nil }
        let digits = text.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        return digits.count == 2 ? (digits[0], digits[1]) : nil
    }

    /// Prefixes in the Loc-RIB that were learned from peers (`bgp routes --output json`).
    public func routes() throws -> [[String: Any]] {
        let output = try cli(["bgp", "routes"])
        guard let array = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] else {
            throw TestEnvironmentError("bgp routes did not print a JSON array: \(output.prefix(500))")
        }
        return array
    }

    /// `bgp routes --rejected --output json`: refused announcements, prefix to reason.
    public func rejectedRoutes() throws -> [String: String] {
        let output = try cli(["bgp", "routes", "--rejected"])
        guard let array = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] else {
            throw TestEnvironmentError("bgp routes --rejected did not print a JSON array: \(output.prefix(500))")
        }
        var rejected: [String: String] = [:]
        for row in array {
            if let prefix = row["prefix"] as? String { rejected[prefix] = row["rejected"] as? String ?? "" }
        }
        return rejected
    }

    public func receivedPrefixes() throws -> Set<String> {
        Set(try routes().compactMap { $0["prefix"] as? String })
    }

    @discardableResult
    public func waitReceived(timeout: Double = 60, _ condition: (Set<String>) -> Bool) throws -> Set<String> {
        try waitForPrefixes(timeout: timeout, read: receivedPrefixes, condition)
    }

    /// SIGKILL: no NOTIFICATION, the TCP session just dies (a crash, for graceful restart).
    public func kill() {
        process.signal(SIGKILL)
        process.terminate(grace: 1)
    }

    /// SIGTERM and wait: the speaker says goodbye to its peers as configured.
    public func stop() { process.terminate(grace: 5) }

    /// Starts the speaker again with the same configuration.
    public func restart() throws {
        process.terminate(grace: 5)
        runs += 1
        process = try Self.launch(executable, namespace: namespace, directory: directory, logFile: logFile, run: runs)
        try waitForControlSocket()
    }

    deinit { process.terminate(grace: 1) }
}
