import BGPCore
import Testing

/// Drives a `SessionFSM` with `SessionTimers` on a manual clock, the way the Speaker does
/// on a real one, and records what it was asked to do.
struct ManualClockSession {
    var fsm: SessionFSM
    var timers = SessionTimers()
    var now: Duration = .zero
    var log: [SessionAction] = []

    init(_ settings: SessionFSM.Settings) { fsm = SessionFSM(settings: settings) }

    @discardableResult
    mutating func send(_ event: SessionEvent) -> [SessionAction] {
        let actions = fsm.handle(event)
        timers.apply(actions, now: now)
        log += actions
        return actions
    }

    /// Moves the clock forward, firing every timer that falls due on the way, in order.
    @discardableResult
    mutating func advance(by seconds: Int64) -> [SessionAction] {
        let end = now + .seconds(seconds)
        var fired: [SessionAction] = []
        while let deadline = timers.nextDeadline, deadline <= end {
            now = deadline
            guard let timer = timers.popExpired(now: now) else { break }
            fired += send(timer.expiryEvent)
        }
        now = end
        return fired
    }
}

@Suite struct SessionFSMTests {
    static let settings = SessionFSM.Settings(holdTime: 90, connectRetryTime: 30, idleHoldTime: 5)
    static let open = OpenSummary(holdTime: 30, bgpIdentifier: 0x0A00_0001)

    /// Brings an active session to Established.
    static func established(_ settings: SessionFSM.Settings = settings) -> ManualClockSession {
        var session = ManualClockSession(settings)
        session.send(.manualStart)
        session.send(.tcpConnectionConfirmed)
        session.send(.openReceived(open))
        session.send(.keepaliveReceived)
        return session
    }

    @Test func activePeerConnectsAndReachesEstablished() {
        var session = ManualClockSession(Self.settings)
        #expect(session.send(.manualStart) == [.stopTimer(.idleHold), .startTimer(.connectRetry, seconds: 30), .connect])
        #expect(session.fsm.state == .connect)
        #expect(session.send(.tcpConnectionConfirmed) == [.stopTimer(.connectRetry), .sendOpen,
                                                          .startTimer(.hold, seconds: 240)])
        #expect(session.fsm.state == .openSent)
        // Hold time negotiation: min(90, 30) = 30, keepalive every 10 s.
        #expect(session.send(.openReceived(Self.open)) == [.sendKeepalive, .startTimer(.keepalive, seconds: 10),
                                                           .startTimer(.hold, seconds: 30)])
        #expect(session.fsm.state == .openConfirm && session.fsm.negotiatedHoldTime == 30)
        #expect(session.send(.keepaliveReceived) == [.established(holdTime: 30), .startTimer(.hold, seconds: 30)])
        #expect(session.fsm.state == .established)
    }

    /// §8.2.2: start events are ignored outside Idle. A start that arrives after an incoming
    /// connection already started the FSM used to end that connection (seen as a collision
    /// that lost both connections until the IdleHold timer ran out).
    @Test func startEventsAreIgnoredOutsideIdle() {
        var session = ManualClockSession(Self.settings)
        session.send(.automaticStart)
        for state in [SessionState.connect, .openSent, .openConfirm, .established] {
            #expect(session.fsm.state == state)
            #expect(session.send(.manualStart) == [])
            #expect(session.send(.automaticStart) == [])
            #expect(session.fsm.state == state)
            switch state {
            case .connect: session.send(.tcpConnectionConfirmed)
            case .openSent: session.send(.openReceived(Self.open))
            case .openConfirm: session.send(.keepaliveReceived)
            default: break
            }
        }
        var passive = ManualClockSession(SessionFSM.Settings(holdTime: 90, connectRetryTime: 30, idleHoldTime: 5, passive: true))
        passive.send(.manualStart)
        #expect(passive.fsm.state == .active)
        #expect(passive.send(.manualStart) == [] && passive.fsm.state == .active)
    }

    @Test func passivePeerWaitsInActiveAndNeverConnects() {
        var settings = Self.settings
        settings.passive = true
        var session = ManualClockSession(settings)
        session.send(.manualStart)
        #expect(session.fsm.state == .active)
        // ConnectRetry expiries keep a passive peer waiting without connecting.
        let fired = session.advance(by: 95)
        #expect(!fired.contains(.connect) && session.fsm.state == .active)
        session.send(.tcpConnectionConfirmed)
        #expect(session.fsm.state == .openSent)
    }

    @Test func connectRetryTimerRetriesTheConnection() {
        var session = ManualClockSession(Self.settings)
        session.send(.manualStart)
        #expect(session.advance(by: 29).isEmpty)
        #expect(session.advance(by: 1) == [.dropConnection, .startTimer(.connectRetry, seconds: 30), .connect])
        #expect(session.fsm.state == .connect)
        // A refused connection waits in Active, then connects again.
        session.send(.tcpConnectionFails)
        #expect(session.fsm.state == .active)
        #expect(session.advance(by: 30).contains(.connect))
        #expect(session.fsm.state == .connect)
    }

    @Test func keepalivesAreSentEveryThirdOfTheHoldTime() {
        var session = Self.established()
        let fired = session.advance(by: 25)
        #expect(fired.filter { $0 == .sendKeepalive }.count == 2)
        // Received keepalives keep the session up past the hold time.
        session.send(.keepaliveReceived)
        session.advance(by: 25)
        #expect(session.fsm.state == .established)
    }

    @Test func holdTimerExpirySendsNotificationAndRestartsLater() {
        var session = Self.established()
        let fired = session.advance(by: 30)
        #expect(fired.contains(.sendNotification(.holdTimerExpired)))
        #expect(fired.contains(.releaseResources(graceful: false)))
        #expect(session.fsm.state == .idle && session.fsm.lastError == .holdTimerExpired)
        // The IdleHoldTimer brings the automatic restart.
        #expect(session.advance(by: 5).contains(.connect))
        #expect(session.fsm.state == .connect)
    }

    @Test func holdTimeZeroMeansNoKeepalivesAndNoHoldTimer() {
        var settings = Self.settings
        settings.holdTime = 0
        var session = Self.established(settings)
        #expect(session.fsm.negotiatedHoldTime == 0 && session.fsm.keepaliveTime == 0)
        #expect(session.timers.deadlines.isEmpty)
        #expect(session.advance(by: 100_000).isEmpty)
        #expect(session.fsm.state == .established)
    }

    @Test func defaultsNegotiateNinetySeconds() {
        var session = ManualClockSession(SessionFSM.Settings())
        session.send(.manualStart)
        session.send(.tcpConnectionConfirmed)
        session.send(.openReceived(OpenSummary(holdTime: 90, bgpIdentifier: 8)))
        session.send(.keepaliveReceived)
        #expect(session.fsm.state == .established)
        #expect(session.fsm.negotiatedHoldTime == 90 && session.fsm.keepaliveTime == 30)
    }

    @Test func openErrorsFromTheCodecSendTheirNotification() {
        var session = ManualClockSession(Self.settings)
        session.send(.manualStart)
        session.send(.tcpConnectionConfirmed)
        let badAS = NotificationMessage(code: .openMessageError, subcode: OpenErrorSubcode.badPeerAS.rawValue)
        let actions = session.send(.messageError(badAS))
        #expect(actions.first == .sendNotification(badAS) && actions.contains(.dropConnection))
        #expect(session.fsm.state == .idle && session.fsm.lastError == badAS)
    }

    @Test func unexpectedMessagesAreFSMErrors() {
        var openSent = ManualClockSession(Self.settings)
        openSent.send(.manualStart)
        openSent.send(.tcpConnectionConfirmed)
        #expect(openSent.send(.updateReceived).first == .sendNotification(NotificationMessage.finiteStateMachineError(in: .openSent)))
        var established = Self.established()
        #expect(established.send(.openReceived(Self.open)).first
                == .sendNotification(NotificationMessage.finiteStateMachineError(in: .established)))
    }

    @Test func manualStopSendsCeaseAndStaysDown() {
        var session = Self.established()
        let actions = session.send(.manualStop)
        #expect(actions.first == .sendNotification(.cease(.administrativeShutdown)))
        #expect(actions.contains(.releaseResources(graceful: false)))
        #expect(session.fsm.state == .idle && !session.fsm.automaticRestart)
        #expect(session.advance(by: 1000).isEmpty)
    }

    @Test func gracefulRestartStopClosesWithoutNotification() {
        var session = Self.established()
        let actions = session.send(.gracefulRestartStop)
        #expect(!actions.contains { if case .sendNotification = $0 { true } else { false } })
        #expect(actions.contains(.dropConnection) && actions.contains(.releaseResources(graceful: true)))
    }

    @Test func peerNotificationAndConnectionLoss() {
        var notified = Self.established()
        notified.send(.notificationReceived(.cease(.administrativeShutdown)))
        #expect(notified.log.contains(.releaseResources(graceful: false)))
        #expect(notified.fsm.lastError == .cease(.administrativeShutdown) && notified.fsm.state == .idle)
        // A TCP loss without NOTIFICATION is the graceful case of RFC 4724 for a restarting peer.
        var lost = Self.established()
        #expect(lost.send(.tcpConnectionFails).contains(.releaseResources(graceful: true)))
        // A max-prefix trip is an update error with Cease 6/1.
        var tripped = Self.established()
        #expect(tripped.send(.updateError(.cease(.maximumNumberOfPrefixesReached))).first == .sendNotification(.cease(.maximumNumberOfPrefixesReached)))
    }

    @Test func collisionDumpClosesWithCease7() {
        var session = ManualClockSession(Self.settings)
        session.send(.manualStart)
        session.send(.tcpConnectionConfirmed)
        session.send(.openReceived(Self.open))
        let actions = session.send(.openCollisionDump)
        #expect(actions.first == .sendNotification(.cease(.connectionCollisionResolution)))
        #expect(session.fsm.state == .idle && !actions.contains(.startTimer(.idleHold, seconds: 5)))
    }

    /// CollisionDetectEstablishedState (RFC 4271 §8.1.1): an Established connection can lose too.
    @Test func collisionDumpEndsAnEstablishedSessionWithCease7() {
        var session = Self.established()
        let actions = session.send(.openCollisionDump)
        #expect(actions.first == .sendNotification(.cease(.connectionCollisionResolution)))
        #expect(actions.contains(.releaseResources(graceful: false)))
        #expect(session.fsm.state == .idle && !actions.contains(.startTimer(.idleHold, seconds: 5)))
    }

    @Test func collisionKeepsTheConnectionOfTheHigherIdentifier() {
        #expect(CollisionDetection.survivor(localIdentifier: 1, remoteIdentifier: 2) == .incoming)
        #expect(CollisionDetection.survivor(localIdentifier: 2, remoteIdentifier: 1) == .outgoing)
        // Compared as unsigned: 200.0.0.1 is higher than 10.0.0.1.
        #expect(CollisionDetection.survivor(localIdentifier: 0xC800_0001, remoteIdentifier: 0x0A00_0001) == .outgoing)
    }
}
