import BGPCore
import NIOCore
import NIOPosix
import NetworkCore

/// Sockets: the listener that admits only configured peers, outgoing connections, and the
/// per-socket security options (TCP-MD5, GTSM).
extension BGPSpeaker {
    func startListening() -> EventLoopFuture<Void> {
        guard let endpoint = config.listen else { return loop.makeSucceededVoidFuture() }
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: endpoint.address.description, port: endpoint.port)
        } catch {
            return loop.makeFailedFuture(SpeakerError.listen(endpoint.description, "\(error)"))
        }
        return ServerBootstrap(group: loop)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .childChannelInitializer { [self] channel in
                accept(channel)
            }
            .bind(to: address)
            .flatMap { [self] channel in
                listener = channel
                // Keys for every peer with a password, on the listening socket, before any SYN.
                // A dual-stack IPv6 listener sees IPv4 peers as IPv4-mapped addresses.
                var steps: [EventLoopFuture<Void>] = []
                for peer in config.peers {
                    guard let password = peer.password else { continue }
                    switch (endpoint.address, peer.address) {
                    case (.v4, .v4), (.v6, .v6):
                        steps.append(SocketSecurity.setMD5(on: channel, peer: peer.address, key: password))
                    case (.v6, .v4(let v4)):
                        let mapped = IPAddress.v6(IPv6Address(0xFFFF_0000_0000 | UInt128(v4.value)))
                        steps.append(SocketSecurity.setMD5(on: channel, peer: mapped, key: password))
                    case (.v4, .v6):
                        continue
                    }
                }
                if config.peers.contains(where: { $0.ttlSecurity != nil }) {
                    steps.append(SocketSecurity.sendWithTTL255(on: channel, family: endpoint.address.family))
                }
                // When every peer is GTSM-protected, SYNs from farther than the farthest of
                // them never get a SYN-ACK.
                let hops = config.peers.map { $0.ttlSecurity ?? 0 }
                if !hops.isEmpty, !hops.contains(0), let farthest = hops.max() {
                    steps.append(SocketSecurity.setMinimumTTL(onListener: channel, family: endpoint.address.family,
                                                              hops: farthest))
                }
                return EventLoopFuture<Void>.andAllSucceed(steps, on: loop)
            }
            .flatMapErrorThrowing { error in
                throw SpeakerError.listen(endpoint.description, "\(error)")
            }
    }

    /// An accepted connection: refused at once unless it comes from a configured peer.
    private func accept(_ channel: Channel) -> EventLoopFuture<Void> {
        guard let remote = channel.remoteAddress.flatMap(Self.ipAddress),
              let session = sessions.first(where: { $0.config.address == remote }), !stopping else {
            return channel.close()
        }
        return secure(channel, for: session.config).flatMap { [self] in
            addHandlers(channel)
        }.map { [self] in
            attachIncoming(channel, to: session)
        }
    }

    /// Binds an incoming connection to the peer's FSM, or, while our own connection is
    /// being made or opened, races it as a second FSM until collision detection picks one.
    private func attachIncoming(_ channel: Channel, to session: PeerSession) {
        let primary = session.primary
        switch primary.fsm.state {
        case .idle where primary.fsm.automaticRestart:
            handle(.automaticStart, session: session, connection: primary)
            attachIncoming(channel, to: session)
        case .active:
            primary.channel = channel
            primary.origin = .incoming
            handle(.tcpConnectionConfirmed, session: session, connection: primary)
        case .connect where session.secondary == nil, .openSent where session.secondary == nil,
             .openConfirm where session.secondary == nil:
            var settings = session.settings
            settings.passive = true
            let secondary = PeerConnection(origin: .incoming, settings: settings)
            session.secondary = secondary
            secondary.channel = channel  // before the start, so that it is not retired as socketless
            handle(.manualStart, session: session, connection: secondary)
            handle(.tcpConnectionConfirmed, session: session, connection: secondary)
        case .established where primary.peerOpen?.gracefulRestart != nil:
            // RFC 4724 §4.2: a new connection from a restarting peer ends the old session
            // gracefully (its routes stay, stale) and the new one takes over.
            handle(.tcpConnectionFails, session: session, connection: primary)
            attachIncoming(channel, to: session)
        default:
            let refusal = BGPMessage.notification(.cease(.connectionRejected)).encode(options: BGPCodecOptions())
            channel.writeAndFlush(channel.allocator.buffer(bytes: refusal)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    /// Starts an outgoing connection for `connection` (FSM action `connect`).
    func connect(session: PeerSession, connection: PeerConnection) {
        let peer = session.config
        let attempt = connection.attempt
        let remote: SocketAddress
        do {
            remote = try SocketAddress(ipAddress: peer.address.description, port: peer.port)
        } catch {
            handle(.tcpConnectionFails, session: session, connection: connection)
            return
        }
        var bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(Int64(min(peer.connectRetryTime, 30))))
            .channelInitializer { [self] channel in
                secure(channel, for: peer).flatMap { self.addHandlers(channel) }
            }
        if let local = localAddress(for: peer), let bind = try? SocketAddress(ipAddress: local.description, port: 0) {
            bootstrap = bootstrap.bind(to: bind)
        }
        bootstrap.connect(to: remote).hop(to: loop).whenComplete { [self] result in
            switch result {
            case .success(let channel):
                guard connection.attempt == attempt, connection.channel == nil, connection.fsm.state == .connect,
                      session.primary === connection else {
                    channel.close(promise: nil)
                    return
                }
                connection.channel = channel
                connection.origin = .outgoing
                handle(.tcpConnectionConfirmed, session: session, connection: connection)
            case .failure:
                guard connection.attempt == attempt, connection.fsm.state == .connect else { return }
                handle(.tcpConnectionFails, session: session, connection: connection)
            }
        }
    }

    /// The source address of our connections: the peer's `localAddress`, else the listen
    /// address when it is specific and of the peer's family.
    private func localAddress(for peer: PeerConfig) -> IPAddress? {
        if let local = peer.localAddress { return local }
        guard let listen = config.listen?.address, listen.family == peer.address.family,
              listen.bits != 0 else { return nil }
        return listen
    }

    /// TCP-MD5 key and GTSM on one connection's socket, before any byte is exchanged.
    private func secure(_ channel: Channel, for peer: PeerConfig) -> EventLoopFuture<Void> {
        var steps: [EventLoopFuture<Void>] = []
        if let password = peer.password {
            steps.append(SocketSecurity.setMD5(on: channel, peer: peer.address, key: password))
        }
        if let hops = peer.ttlSecurity {
            steps.append(SocketSecurity.setTTLSecurity(on: channel, family: peer.address.family, hops: hops))
        } else if let ttl = peer.sendTTL(localAS: config.localAS) {
            steps.append(SocketSecurity.sendWithTTL(on: channel, family: peer.address.family, ttl: ttl))
        }
        return EventLoopFuture<Void>.andAllSucceed(steps, on: channel.eventLoop)
    }

    private func addHandlers(_ channel: Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandlers([
                ByteToMessageHandler(BGPFrameDecoder()),
                PeerChannelHandler(
                    onFrame: { [self] channel, frame in received(frame, on: channel) },
                    onClose: { [self] channel in closed(channel) },
                    onWritabilityChanged: { [self] channel in writabilityChanged(channel) }),
            ])
        }
    }

    /// Writable again: the queued UPDATEs go on. Not writable: RFC 9687's send hold timer,
    /// output that cannot drain (the peer stopped reading, its window stays shut) for the
    /// send hold time ends the session, NOTIFICATION 8 tried.
    private func writabilityChanged(_ channel: Channel) {
        for session in sessions {
            guard let connection = session.connection(for: channel) else { continue }
            connection.sendHold?.cancel()
            connection.sendHold = nil
            guard !channel.isWritable else {
                if connection === session.primary { flushOutput(session) }
                return
            }
            let seconds = session.config.effectiveSendHoldTime
            connection.sendHold = loop.scheduleTask(in: .seconds(Int64(seconds))) { [self] in
                connection.sendHold = nil
                guard connection.channel === channel, !channel.isWritable else { return }
                log("peer \(session.config.address): nothing sent for \(seconds) s, send hold timer expired")
                handle(.updateError(NotificationMessage(code: .sendHoldTimerExpired, subcode: 0)),
                       session: session, connection: connection)
                // The NOTIFICATION is stuck behind the rest: close without waiting for it.
                channel.close(promise: nil)
            }
            return
        }
    }

    /// The connection closed under us (the peer, a reset, a timeout).
    private func closed(_ channel: Channel) {
        for session in sessions {
            if let connection = session.connection(for: channel) {
                connection.channel = nil
                connection.lastWrite = nil
                connection.sendHold?.cancel()
                connection.sendHold = nil
                handle(.tcpConnectionFails, session: session, connection: connection)
                return
            }
        }
    }

    static func ipAddress(_ socket: SocketAddress) -> IPAddress? {
        guard let text = socket.ipAddress, let address = IPAddress(text) else { return nil }
        // A dual-stack listener reports IPv4 peers as IPv4-mapped IPv6 (::ffff:a.b.c.d).
        if case .v6(let v6) = address, v6.value >> 32 == 0xFFFF {
            return .v4(IPv4Address(UInt32(truncatingIfNeeded: v6.value)))
        }
        return address
    }
}
