import Glibc
import Netlink
import NetworkCore

/// The single owner of the node's kernel routes: one writer on a dedicated OS thread (off
/// Swift's cooperative pool, so a slow netlink batch never stalls async work) that takes
/// changes from several sources, each under its own protocol number of `RouteSyncConfig`:
/// BGP's learned best paths (`withLearnedRoutes`, a `KernelRouteSync`) and the peer host
/// routes (`setPeers`/`updatePeer`/`removePeer`).
///
/// Besides the changes it is given, it keeps the kernel in step by itself: a monitor on
/// the route, nexthop, link and address groups repairs a route or nexthop of ours deleted
/// by hand as soon as the event arrives; lost events (ENOBUFS) and the periodic resync read
/// everything again; refused requests are retried every second.
///
/// Typical use by the agent:
/// ```swift
/// let writer = try RouteWriter(config: try config.validated(), log: { logger.info("\($0)") })
/// var report = try await writer.start()          // adopts what an earlier run left
/// report = try await writer.setPeers(peersFromLeases)
/// try await writer.updatePeer(changedPeer)        // one lease changed
/// let learned = try await writer.withLearnedRoutes { try $0.apply(changes) }
/// writer.stop()                                   // SIGTERM: routes and nexthops stay
/// ```
public final class RouteWriter: @unchecked Sendable {
    public let config: RouteSyncConfig
    private let socket: any RouteSyncSocket
    private let monitor: NetlinkMonitor?
    private let log: @Sendable (String) -> Void
    /// Set once in init (it needs `self` for its timers), never changed after.
    private var writer: WriterThread!
    private var monitorThread: WriterThread?
    // Writer thread only:
    private let peers: PeerRouteProgrammer
    private var learned: KernelRouteSync?
    private var started = false
    private var nextResync: ContinuousClock.Instant
    private var retryAt: ContinuousClock.Instant?

    /// Requests per netlink datagram: 20k peers' routes in 40 round trips instead of 625.
    static let chunkSize = 1024

    /// How soon a refused request is tried again.
    static let retryInterval: Duration = .seconds(1)

    /// Opens the netlink socket and the monitor in `namespace` (nil: the calling thread's)
    /// and starts the writer thread; nothing touches the kernel before `start`.
    public convenience init(config: RouteSyncConfig, namespace: NetworkNamespace? = nil,
                            log: @escaping @Sendable (String) -> Void) throws {
        let socket = try namespace?.openNetlinkSocket() ?? NetlinkSocket()
        socket.enlargeBuffers(forChunksOf: Self.chunkSize)
        // Rules are not the writer's: it leaves their groups out.
        let groups: Set<MonitorGroup> = [.link, .ipv4Address, .ipv6Address, .ipv4Route, .ipv6Route, .nexthop]
        let monitor = try namespace?.openNetlinkMonitor(groups: groups) ?? NetlinkMonitor(groups: groups)
        try self.init(config: config, socket: socket, monitor: monitor, log: log)
    }

    /// A writer over any socket (tests inject failures); without a monitor it repairs only
    /// on the periodic resync.
    public init(config: RouteSyncConfig, socket: any RouteSyncSocket, monitor: NetlinkMonitor?,
                log: @escaping @Sendable (String) -> Void) throws {
        self.config = config
        self.socket = socket
        monitor?.ignoredPortIDs.insert(socket.portID)
        self.monitor = monitor
        self.log = log
        peers = PeerRouteProgrammer(config: config, socket: socket, log: log)
        nextResync = .now + config.resyncInterval
        writer = try WriterThread { [unowned self] in timers() }
    }

    deinit { stop() }

    /// Resolves `routes.mode`, adopts the peer routes and nexthops of our protocol already in
    /// the kernel (none is removed or re-added), and begins monitoring. Returns the report.
    @discardableResult
    public func start() async throws -> PeerRouteReport {
        let report = try await onWriter { () throws -> PeerRouteReport in
            try self.peers.start()
            self.started = true
            return self.peers.report
        }
        if let monitor, monitorThread == nil {
            monitorThread = try WriterThread { [unowned self] in
                readEvents(monitor)
                return .zero
            }
        }
        return report
    }

    /// Replaces the set of peers (this node left out) and programs the difference.
    @discardableResult
    public func setPeers(_ peers: [PeerNode]) async throws -> PeerRouteReport {
        try await onWriter { () throws -> PeerRouteReport in
            self.peers.setPeers(peers)
            try self.reconcilePeers()
            return self.peers.report
        }
    }

    /// One peer's lease appeared or changed. Returns the time spent in the writer, from
    /// taking the change to the kernel's last ACK (for a histogram metric).
    @discardableResult
    public func updatePeer(_ peer: PeerNode) async throws -> WriterTiming {
        try await onWriter { () throws -> WriterTiming in
            try self.timed { self.peers.updatePeer(peer) }
        }
    }

    /// One peer's lease went: its routes and nexthops go. Returns the time spent in the writer.
    @discardableResult
    public func removePeer(named name: String) async throws -> WriterTiming {
        try await onWriter { () throws -> WriterTiming in
            try self.timed { self.peers.removePeer(named: name) }
        }
    }

    /// Expected, installed and missing peer routes, peers reached via the gateway, problems.
    public func peerReport() async throws -> PeerRouteReport {
        try await onWriter { self.peers.report }
    }

    /// Removes every peer route and nexthop of ours (`--cleanup`); returns how many went.
    public func removePeerRoutes() async throws -> Int {
        try await onWriter { () throws -> Int in try self.peers.removeAll() }
    }

    /// Runs `body` on the writer thread with BGP's learned-route table (created on first use,
    /// under `config.learnedTable`): `apply`, `adoptExisting`, `removeAdopted`, `removeAll`.
    public func withLearnedRoutes<T: Sendable>(_ body: @escaping @Sendable (KernelRouteSync) throws -> T) async throws -> T {
        try await onWriter { () throws -> T in
            if self.learned == nil { self.learned = KernelRouteSync(table: self.config.learnedTable, socket: self.socket) }
            defer { self.scheduleRetry() }
            return try body(self.learned!)
        }
    }

    /// Stops the threads. The kernel keeps every route and nexthop (SIGTERM: pods keep
    /// forwarding while the agent restarts); the next `start` adopts them.
    public func stop() {
        monitorThread?.stop()
        monitorThread = nil
        writer?.stop()
    }

    // MARK: On the writer thread

    /// Applies a change to the desired state and reconciles; returns the time both took.
    private func timed(_ change: () -> Void) throws(NetlinkError) -> WriterTiming {
        let clock = ContinuousClock()
        let start = clock.now, cpuStart = WriterTiming.threadCPUTime()
        change()
        try reconcilePeers()
        let acked = clock.now
        return WriterTiming(wall: acked - start, cpu: WriterTiming.threadCPUTime() - cpuStart, acked: acked)
    }

    private func reconcilePeers() throws(NetlinkError) {
        defer { scheduleRetry() }
        try peers.reconcile()
    }

    /// Arms the retry timer while anything waits for one (refused peer routes or nexthops,
    /// learned routes refused or unknown after a cut-short batch); disarms it otherwise.
    private func scheduleRetry() {
        if peers.hasRefusals || peers.needsRescan || (learned?.pendingCount ?? 0) > 0 {
            if retryAt == nil { retryAt = .now + Self.retryInterval }
        } else {
            retryAt = nil
        }
    }

    /// Timed work, run when no job waits: the periodic resync and retries. Returns how long
    /// the thread may sleep.
    private func timers() -> Duration? {
        guard started else { return nil }
        let now = ContinuousClock.now
        if now >= nextResync {
            nextResync = now + config.resyncInterval
            repair("periodic resync", rescan: true)
        } else if let retryAt, now >= retryAt {
            self.retryAt = nil
            repair("retry", rescan: false)
        }
        let wake = [nextResync, retryAt].compactMap { $0 }.min()!
        return wake - .now
    }

    private func repair(_ reason: String, rescan: Bool) {
        do {
            if rescan {
                try peers.rescan()
                _ = try learned?.rescan()
            } else {
                _ = try learned?.retryFailed()
            }
            try reconcilePeers()
        } catch {
            log("routes: \(reason) failed: \(error)")
            if retryAt == nil { retryAt = .now + Self.retryInterval }
            return
        }
        scheduleRetry()
    }

    private func handle(_ events: [NetlinkEvent]) {
        guard started else { return }
        var due = false
        for event in events {
            if peers.observe(event) { due = true }
            if case .eventsLost = event {
                log("routes: netlink monitor lost events (ENOBUFS); reading the kernel again")
                learned?.markUnknown()
                due = true
            }
        }
        if due { repair("repair", rescan: false) }
    }

    // MARK: On the monitor thread

    /// Reads what is there (waiting up to 200 ms for the first), hands it to the writer as one job.
    private func readEvents(_ monitor: NetlinkMonitor) {
        var events: [NetlinkEvent] = []
        do {
            guard let first = try monitor.next(timeout: .milliseconds(200)) else { return }
            events.append(first)
            while events.count < 4096, let event = try monitor.next(timeout: .zero) { events.append(event) }
        } catch {
            log("routes: netlink monitor: \(error); reading the kernel again")
            events.append(.eventsLost)
        }
        receive(events)
    }

    /// Hands kernel events to the writer (the monitor thread's, or a test's).
    func receive(_ events: [NetlinkEvent]) {
        writer.post { [self] in handle(events) }
    }

    private func onWriter<T: Sendable>(_ body: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = { continuation.resume(with: Result { try body() }) }
            if !writer.post(job) { continuation.resume(throwing: RouteWriterError.stopped) }
        }
    }
}
