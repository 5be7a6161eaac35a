import BGPCore
import NIOCore

/// Driving the FSMs: events in, actions carried out on sockets, timers and the RIB.
extension BGPSpeaker {
    func handle(_ event: SessionEvent, session: PeerSession, connection: PeerConnection) {
        loop.preconditionInEventLoop()
        let before = connection.fsm.state
        let actions = connection.fsm.handle(event).map { action in
            guard case .startTimer(.idleHold, let seconds) = action else { return action }
            return .startTimer(.idleHold, seconds: session.nextIdleHold(base: seconds))
        }
        if connection.fsm.state != before {
            log("peer \(session.config.address) (\(connection.origin)): \(before.rawValue) -> \(connection.fsm.state.rawValue) on \(event)")
        }
        connection.timers.apply(actions, now: now)
        scheduleWakeup(session: session, connection: connection)
        for action in actions {
            perform(action, session: session, connection: connection)
        }
        retireIfIdle(session: session, connection: connection)
    }

    private func perform(_ action: SessionAction, session: PeerSession, connection: PeerConnection) {
        switch action {
        case .connect:
            connect(session: session, connection: connection)
        case .sendOpen:
            connection.write(BGPMessage.open(localOpen(for: session)).encode(options: connection.options))
        case .sendKeepalive:
            connection.write(BGPMessage.keepalive.encode(options: connection.options))
        case .sendNotification(let notification):
            log("peer \(session.config.address): sent NOTIFICATION \(notification)")
            session.lastError = notification
            connection.write(BGPMessage.notification(notification).encode(options: connection.options))
        case .dropConnection:
            connection.close()
        case .startTimer, .stopTimer:
            break
        case .established:
            adopt(connection, in: session)
            sessionEstablished(session)
        case .releaseResources(let graceful):
            sessionDown(session, graceful: graceful)
        }
    }

    /// One wake-up per connection, at its earliest timer. A wake-up already due no later
    /// is kept (a hold-timer restart per UPDATE must not cost a reschedule each); when it
    /// fires early it simply schedules the next one.
    private func scheduleWakeup(session: PeerSession, connection: PeerConnection) {
        guard let next = connection.timers.nextDeadline else {
            connection.wakeup?.cancel()
            connection.wakeup = nil
            return
        }
        if connection.wakeup != nil, let current = connection.wakeupDeadline, current <= next { return }
        connection.wakeup?.cancel()
        connection.wakeupDeadline = next
        let deadline = NIODeadline.uptimeNanoseconds(UInt64(max(0, next.components.seconds)) * 1_000_000_000
                                                      + UInt64(next.components.attoseconds / 1_000_000_000))
        connection.wakeup = loop.scheduleTask(deadline: deadline) { [self] in
            connection.wakeup = nil
            if let timer = connection.timers.popExpired(now: now) {
                handle(timer.expiryEvent, session: session, connection: connection)
            } else {
                scheduleWakeup(session: session, connection: connection)
            }
        }
    }

    /// A secondary connection without a socket leaves; a primary that went Idle gives way
    /// to a live secondary, or to a fresh FSM when it ran with the passive settings of a
    /// promoted incoming connection.
    private func retireIfIdle(session: PeerSession, connection: PeerConnection) {
        guard connection.channel == nil else { return }
        if connection === session.secondary {
            guard [.idle, .active].contains(connection.fsm.state) else { return }
            connection.wakeup?.cancel()
            session.secondary = nil
            return
        }
        guard connection === session.primary, connection.fsm.state == .idle else { return }
        if let secondary = session.secondary, secondary.fsm.state != .idle {
            connection.wakeup?.cancel()
            session.primary = secondary
            session.secondary = nil
        } else if connection.fsm.settings != session.settings {
            // An active peer's next attempt must connect again.
            connection.wakeup?.cancel()
            let fresh = PeerConnection(origin: connection.origin, settings: session.settings)
            fresh.peerOpen = connection.peerOpen
            session.primary = fresh
            if connection.fsm.automaticRestart && !stopping {
                // The wait the failure already drew (one failure, one backoff step).
                fresh.timers.apply([.startTimer(.idleHold, seconds: max(session.idleHold, 1))], now: now)
                scheduleWakeup(session: session, connection: fresh)
            }
        }
    }

    /// RFC 4271 §6.8 when an OPEN arrives on `connection`: returns false when this
    /// connection lost and was closed. A connection still in Connect or Active is no
    /// collision yet (the RFC detects none there): it races on and gives way only when the
    /// other is established (`adopt`). Dropping it here lost both connections whenever the
    /// peer already held it in OpenSent and kept it by router id.
    ///
    /// An Established other connection is decided by router id too (RFC 4271 §8.1.1
    /// CollisionDetectEstablishedState): it can only be one that was still opening when this
    /// one was accepted (later ones are refused), and the peer may have held it in
    /// OpenConfirm and dumped it by router id. Keeping it because it was Established here
    /// lost both connections while the peer briefly showed a session.
    func resolveCollision(session: PeerSession, connection: PeerConnection, remoteIdentifier: UInt32) -> Bool {
        guard let other = session.connections.first(where: { $0 !== connection }) else { return true }
        let loser: PeerConnection
        switch other.fsm.state {
        case .idle, .connect, .active:
            return true
        case .openSent, .openConfirm, .established:
            let survivor = CollisionDetection.survivor(localIdentifier: config.routerID.value,
                                                       remoteIdentifier: remoteIdentifier)
            loser = connection.origin == survivor ? other : connection
        }
        handle(.openCollisionDump, session: session, connection: loser)
        return loser !== connection
    }

    /// The connection that became established is the session's; an attempt of ours that
    /// was still connecting or waiting gives way now.
    private func adopt(_ connection: PeerConnection, in session: PeerSession) {
        guard connection === session.secondary else { return }
        let attempt = session.primary
        session.primary = connection
        session.secondary = nil
        handle(.manualStop, session: session, connection: attempt)
    }
}
