import BGPCore
import NIOCore
import NIOPosix
import NetworkCore

/// A BGP speaker on SwiftNIO: listens for the configured peers, connects to the active
/// ones, runs one RFC 4271 FSM per connection, keeps the RIB and announces the originated
/// prefixes. All state lives on one event loop, so nothing here takes a lock; the public
/// methods hop onto that loop.
public final class BGPSpeaker: @unchecked Sendable {
    /// The configuration, without its `originate` list: those routes move into the RIB at
    /// start and a million-entry list is not kept twice (see `routes(inside:)`).
    public let config: BGPConfig
    /// Configured routes waiting for `start()`.
    private var initialRoutes: [OriginateConfig]
    /// Set when we come back from a graceful restart (RFC 4724 R bit).
    public let restarting: Bool
    /// RFC 4724 §4.1 selection deferral after our restart: no UPDATE leaves until every
    /// graceful-restart peer sent End-of-RIB, or `selectionDeferral` seconds pass.
    var deferring: Bool
    var deferralTimer: Scheduled<Void>?
    /// Callers of `initialRoutesComplete()` waiting for the deferral to end.
    var deferralWaiters: [CheckedContinuation<Void, Never>] = []
    let loop: EventLoop
    private let ownedGroup: MultiThreadedEventLoopGroup?
    var rib: RIB
    var sessions: [PeerSession] = []
    var listener: Channel?
    var controlServer: Channel?
    var stopping = false
    /// Reads the interfaces' networks again every `connectedNetworksInterval`.
    var connectedNetworksTask: RepeatedTask?
    /// Keeps the resolver's copy of the host's table in step (`config.nextHops`).
    var resolvingRouteWatch: ResolvingRouteWatch?
    /// Where learned best-path changes go (`learnedRouteChanges`), if anyone asked.
    var learnedRoutes: LearnedRouteBuffer?
    /// Session events worth a line in the log: state changes and NOTIFICATIONs.
    let log: @Sendable (String) -> Void

    /// `group`: run on an existing loop group (tests); otherwise the speaker makes its own
    /// single-threaded one. `log` receives one line per state change and NOTIFICATION.
    public init(config: BGPConfig, restarting: Bool = false, group: EventLoopGroup? = nil,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        var stored = config
        stored.originate = []
        self.config = stored
        initialRoutes = config.originate
        self.restarting = restarting
        deferring = restarting && config.gracefulRestart != nil
        self.log = log
        if let group {
            ownedGroup = nil
            loop = group.next()
        } else {
            let owned = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            ownedGroup = owned
            loop = owned.next()
        }
        rib = RIB(localAS: config.localAS)
        for peer in config.peers {
            let id = rib.addPeer(PeerInfo(address: peer.address, asNumber: peer.remoteAS,
                                          routerID: IPv4Address(0), isExternal: peer.remoteAS != config.localAS,
                                          needsConnectedNextHop: peer.isSingleHopExternal(localAS: config.localAS),
                                          resolvesNextHop: !peer.isSingleHopExternal(localAS: config.localAS)))
            let settings = SessionFSM.Settings(
                holdTime: peer.holdTime, connectRetryTime: UInt32(peer.connectRetryTime),
                idleHoldTime: 5, passive: peer.passive)
            sessions.append(PeerSession(config: peer, peerID: id, settings: settings,
                                        importPolicy: ImportPolicy(localAS: config.localAS,
                                                                   filter: peer.effectiveImport(localAS: config.localAS)),
                                        restarting: restarting && config.gracefulRestart != nil))
        }
    }

    /// Reads the host's table for next-hop resolution, originates the configured prefixes,
    /// opens the listening and control sockets and starts every session. Throws when a
    /// socket cannot be opened or the table cannot be read.
    public func start() async throws {
        try await startResolvingNextHops()
        try await loop.flatSubmit { () -> EventLoopFuture<Void> in
            self.addOriginated(self.initialRoutes)
            self.initialRoutes = []
            self.watchConnectedNetworks()
            if self.deferring, let gr = self.config.gracefulRestart {
                self.deferralTimer = self.loop.scheduleTask(in: .seconds(Int64(gr.selectionDeferral))) { [self] in
                    log("selection deferral: \(gr.selectionDeferral) s passed without End-of-RIB from every peer")
                    endDeferral()
                }
            }
            return self.startListening()
        }.get()
        try await startControlServer()
        try await loop.submit {
            for session in self.sessions { self.handle(.manualStart, session: session, connection: session.primary) }
        }.get()
    }

    /// The address the speaker listens on (its port when the config asked for port 0).
    public var listenAddress: SocketAddress? {
        get async throws { try await loop.submit { self.listener?.localAddress }.get() }
    }

    /// Ends every session (Cease/Administrative Shutdown, or a silent close for a graceful
    /// restart when configured), closes the sockets and waits for the NOTIFICATIONs to leave.
    public func shutdown() async {
        let closing: EventLoopFuture<Void> = loop.flatSubmit {
            self.stopping = true
            self.learnedRoutes?.finish()
            // No table goes out now; whoever waits for the deferral is let go.
            self.deferralTimer?.cancel()
            self.connectedNetworksTask?.cancel()
            self.resolvingRouteWatch?.stop()
            for waiter in self.deferralWaiters { waiter.resume() }
            self.deferralWaiters = []
            let event: SessionEvent = self.config.gracefulRestart == nil ? .manualStop : .gracefulRestartStop
            var writes: [EventLoopFuture<Void>] = []
            var channels: [Channel] = []
            for session in self.sessions {
                for connection in session.connections {
                    let channel = connection.channel
                    self.handle(event, session: session, connection: connection)
                    if let channel {
                        channels.append(channel)
                        writes.append(channel.closeFuture)
                    }
                }
                session.staleTimer?.cancel()
            }
            let servers = [self.listener, self.controlServer].compactMap { $0 }
            for server in servers { server.close(promise: nil) }
            // A peer that does not read cannot hold the shutdown: force the close after 3 s.
            let stuck = channels
            self.loop.scheduleTask(in: .seconds(3)) {
                for channel in stuck { channel.close(promise: nil) }
            }
            return EventLoopFuture.andAllComplete(writes + servers.map(\.closeFuture), on: self.loop)
        }
        try? await closing.get()
        try? await ownedGroup?.shutdownGracefully()
    }

    /// The monotonic time of the loop, as the FSM timers count it.
    var now: Duration { .nanoseconds(Int64(NIODeadline.now().uptimeNanoseconds)) }
}
