import Foundation

/// One BGP neighbor as a test wants a daemon (or our speaker) to configure it.
public struct BGPNeighbor: Sendable {
    public var address: String
    public var asn: UInt32
    public var password: String?
    /// GTSM (RFC 5082) for a directly connected peer: send TTL 255, accept only 255.
    public var ttlSecurity: Bool
    public var holdTime: Int
    public var passive: Bool
    public var gracefulRestart: Bool
    /// Prefixes accepted from this neighbor before the session is torn down (6/1).
    public var maxPrefixes: Int?
    /// RFC 8950: IPv4 routes with IPv6 next hops on this (IPv6) session.
    public var extendedNextHop: Bool

    public init(address: String, asn: UInt32, password: String? = nil, ttlSecurity: Bool = false,
                holdTime: Int = 9, passive: Bool = false, gracefulRestart: Bool = false, maxPrefixes: Int? = nil,
                extendedNextHop: Bool = false) {
        self.address = address
        self.asn = asn
        self.password = password
        self.ttlSecurity = ttlSecurity
        self.holdTime = holdTime
        self.passive = passive
        self.gracefulRestart = gracefulRestart
        self.maxPrefixes = maxPrefixes
        self.extendedNextHop = extendedNextHop
    }

    /// A name BIRD and config files accept (`n_10_254_0_2`).
    var identifier: String {
        "n_" + address.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }
}

/// What every daemon launcher is told: who it is, where it listens, whom it peers with.
public struct BGPDaemonSetup: Sendable {
    public var localAS: UInt32
    public var routerID: String
    /// Addresses the daemon binds to inside its namespace (one IPv4, optionally one IPv6).
    public var listenAddresses: [String]
    /// Next hops put on announced IPv4 / IPv6 routes.
    public var nextHop4: String
    public var nextHop6: String?
    public var neighbors: [BGPNeighbor]

    public init(localAS: UInt32, routerID: String, listenAddresses: [String], nextHop4: String,
                nextHop6: String? = nil, neighbors: [BGPNeighbor]) {
        self.localAS = localAS
        self.routerID = routerID
        self.listenAddresses = listenAddresses
        self.nextHop4 = nextHop4
        self.nextHop6 = nextHop6
        self.neighbors = neighbors
    }

    func nextHop(for prefix: String) -> String {
        prefix.contains(":") ? (nextHop6 ?? nextHop4) : nextHop4
    }
}

/// A real BGP daemon from Debian running in a `te-` namespace, configured from a
/// `BGPDaemonSetup`, queried through its own CLI and stopped by PID.
public protocol BGPDaemon: AnyObject, Sendable {
    /// `bird`, `frr`, `gobgp` or `exabgp`: for messages.
    var kind: String { get }
    var namespace: TestNamespace { get }
    var process: BackgroundProcess { get }
    /// The daemon's own log, quoted when an expectation fails.
    var logFile: String { get }

    /// Whether the session with `peer` is Established.
    func isEstablished(_ peer: String) throws -> Bool
    /// Prefixes (IPv4 and IPv6, canonical text) the daemon has learned over BGP.
    func receivedPrefixes() throws -> Set<String>
    /// Originates `prefixes` (with the setup's next hops) / stops originating them.
    func announce(_ prefixes: [String]) throws
    func withdraw(_ prefixes: [String]) throws
}

extension BGPDaemon {
    /// SIGSTOP: the daemon stops sending KEEPALIVEs, so its peer's hold timer runs out.
    public func pause() { process.signal(SIGSTOP) }
    public func resume() { process.signal(SIGCONT) }

    public func stop() {
        process.signal(SIGCONT)
        process.terminate()
    }

    /// The last lines of the daemon's log, for failure messages.
    public func logTail(lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "(no log)"
        return "--- \(kind) log ---\n" + text.split(separator: "\n", omittingEmptySubsequences: false)
            .suffix(lines).joined(separator: "\n")
    }

    /// Waits until the session with `peer` is Established.
    public func waitEstablished(_ peer: String, timeout: Double = 60) throws -> Bool {
        try waitUntil(timeout: timeout, interval: 0.2) { try isEstablished(peer) }
    }

    /// Waits until the learned prefixes satisfy `condition`; returns the last set seen.
    @discardableResult
    public func waitReceived(timeout: Double = 60, _ condition: (Set<String>) -> Bool) throws -> Set<String> {
        try waitForPrefixes(timeout: timeout, read: receivedPrefixes, condition)
    }
}

/// Polls a prefix table until it satisfies `condition` or `timeout` passes; returns the last table read.
func waitForPrefixes(timeout: Double, read: () throws -> Set<String>,
                     _ condition: (Set<String>) -> Bool) throws -> Set<String> {
    var last = Set<String>()
    _ = try waitUntil(timeout: timeout, interval: 0.2) {
        last = try read()
        return condition(last)
    }
    return last
}

/// Starts a daemon and waits until its control interface answers, stopping it if that fails.
/// The bound only ends a hang (a loaded machine starts daemons slowly); an exit ends it at once.
func startDaemon(_ process: BackgroundProcess, kind: String, logFile: String, ready: () throws -> Bool) throws {
    let up = waitUntil(timeout: 60, interval: 0.1) {
        guard process.isRunning else { return true }
        return (try? ready()) ?? false
    } && process.isRunning
    if !up {
        process.terminate()
        let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        throw TestEnvironmentError("\(kind) did not come up: \(log.suffix(2000))")
    }
}

/// The current environment plus `extra`: daemons started with an explicit environment still need PATH.
func environment(adding extra: [String: String]) -> [String: String] {
    ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
}
