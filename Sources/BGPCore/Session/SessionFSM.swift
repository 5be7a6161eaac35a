/// The RFC 4271 §8 finite state machine of one BGP connection, as a pure value: events in,
/// actions out, no sockets and no clock. The Speaker runs it over SwiftNIO; tests run it
/// with `SessionTimers` on a manual clock.
public struct SessionFSM: Sendable {
    public struct Settings: Sendable, Hashable {
        /// Our proposed hold time: 0 or 3...65535 seconds.
        public var holdTime: UInt16
        public var connectRetryTime: UInt32
        /// Delay before an automatic restart after an error.
        public var idleHoldTime: UInt32
        /// Wait for the peer to connect instead of connecting (RFC 4271 PassiveTcpEstablishment).
        public var passive: Bool

        public init(holdTime: UInt16 = 90, connectRetryTime: UInt32 = 120, idleHoldTime: UInt32 = 5,
                    passive: Bool = false) {
            self.holdTime = holdTime
            self.connectRetryTime = connectRetryTime
            self.idleHoldTime = idleHoldTime
            self.passive = passive
        }
    }

    /// RFC 4271 §8.2.2: "a large value" for the hold timer while waiting for the OPEN.
    public static let openHoldTime: UInt32 = 240

    public let settings: Settings
    public private(set) var state: SessionState = .idle
    public private(set) var connectRetryCounter = 0
    /// The peer's OPEN, once received on this connection.
    public private(set) var peerOpen: OpenSummary?
    /// min(ours, theirs) after the OPEN exchange; 0 means no keepalives and no hold timer.
    public private(set) var negotiatedHoldTime: UInt16 = 0
    /// The last NOTIFICATION sent or received, for `bgp peers`.
    public private(set) var lastError: NotificationMessage?
    /// False once the operator stopped the session: errors then do not restart it.
    public private(set) var automaticRestart = true

    public init(settings: Settings) {
        self.settings = settings
    }

    /// One third of the hold time (RFC 4271 §10), at least one second.
    public var keepaliveTime: UInt32 {
        negotiatedHoldTime == 0 ? 0 : max(1, UInt32(negotiatedHoldTime) / 3)
    }

    /// Feeds one event and returns the actions to carry out, in order.
    public mutating func handle(_ event: SessionEvent) -> [SessionAction] {
        switch (state, event) {
        case (.idle, .manualStart), (.idle, .automaticStart):
            if event == .manualStart { automaticRestart = true }
            connectRetryCounter = 0
            let timer = SessionAction.startTimer(.connectRetry, seconds: settings.connectRetryTime)
            if settings.passive {
                state = .active
                return [.stopTimer(.idleHold), timer]
            }
            state = .connect
            return [.stopTimer(.idleHold), timer, .connect]
        case (.idle, .manualStop):
            automaticRestart = false
            return [.stopTimer(.idleHold)]
        case (.idle, _):
            return []
        // §8.2.2: start events are ignored in every other state. (A start that races an
        // incoming connection, which already started the FSM, must not end that session.)
        case (_, .manualStart):
            automaticRestart = true
            return []
        case (_, .automaticStart):
            return []

        case (_, .manualStop):
            automaticRestart = false
            let notify = state == .openSent || state == .openConfirm || state == .established
            return enterIdle(sending: notify ? .cease(.administrativeShutdown) : nil, restart: false)
        case (_, .gracefulRestartStop):
            automaticRestart = false
            return enterIdle(sending: nil, restart: false)

        case (.connect, .connectRetryTimerExpires):
            return [.dropConnection, .startTimer(.connectRetry, seconds: settings.connectRetryTime), .connect]
        case (.active, .connectRetryTimerExpires):
            // A passive peer keeps waiting; an active one tries again (§8.2.2, Active, event 9).
            let restart = SessionAction.startTimer(.connectRetry, seconds: settings.connectRetryTime)
            if settings.passive { return [restart] }
            state = .connect
            return [restart, .connect]
        case (.connect, .tcpConnectionConfirmed), (.active, .tcpConnectionConfirmed):
            state = .openSent
            return [.stopTimer(.connectRetry), .sendOpen,
                    .startTimer(.hold, seconds: Self.openHoldTime)]
        case (.connect, .tcpConnectionFails):
            state = .active
            return [.dropConnection, .startTimer(.connectRetry, seconds: settings.connectRetryTime)]
        case (.active, .tcpConnectionFails):
            connectRetryCounter += 1
            return enterIdle(sending: nil, restart: true)
        case (.connect, _), (.active, _):
            // Anything else before a connection exists is an FSM error without a NOTIFICATION.
            connectRetryCounter += 1
            return enterIdle(sending: nil, restart: true)

        case (_, .holdTimerExpires):
            return enterIdle(sending: .holdTimerExpired, restart: true)
        case (_, .tcpConnectionFails):
            if state == .openSent {
                // §8.2.2 OpenSent, event 18: back to Active and listen again.
                state = .active
                return [.dropConnection, .stopTimer(.hold),
                        .startTimer(.connectRetry, seconds: settings.connectRetryTime)]
            }
            return enterIdle(sending: nil, restart: true)
        case (_, .notificationReceived(let notice)):
            lastError = notice
            return enterIdle(sending: nil, restart: true, notificationReceived: true)
        case (_, .messageError(let notice)), (_, .updateError(let notice)):
            return enterIdle(sending: notice, restart: true)
        // Established too: collision detection runs there as well (RFC 4271 §8.1.1
        // CollisionDetectEstablishedState), so both sides keep the same connection.
        case (.openSent, .openCollisionDump), (.openConfirm, .openCollisionDump), (.established, .openCollisionDump):
            return enterIdle(sending: .cease(.connectionCollisionResolution), restart: false)

        case (.openSent, .openReceived(let open)):
            return receiveOpen(open)
        case (.openConfirm, .keepaliveTimerExpires), (.established, .keepaliveTimerExpires):
            return [.sendKeepalive, .startTimer(.keepalive, seconds: keepaliveTime)]
        case (.openConfirm, .keepaliveReceived):
            state = .established
            return [.established(holdTime: negotiatedHoldTime)] + restartHoldTimer()
        case (.established, .keepaliveReceived), (.established, .updateReceived),
             (.established, .routeRefreshReceived):
            return restartHoldTimer()

        default:
            // An unexpected message or event in OpenSent, OpenConfirm or Established.
            return enterIdle(sending: .finiteStateMachineError(in: state), restart: true)
        }
    }

    /// OpenSent, event 19: negotiate the hold time and confirm the OPEN. The codec has
    /// already checked it (`OpenMessage.decode`, `validate`: RFC 4271 §6.2).
    private mutating func receiveOpen(_ open: OpenSummary) -> [SessionAction] {
        peerOpen = open
        negotiatedHoldTime = min(settings.holdTime, open.holdTime)
        state = .openConfirm
        var actions: [SessionAction] = [.sendKeepalive]
        if negotiatedHoldTime == 0 {
            actions += [.stopTimer(.hold), .stopTimer(.keepalive)]
        } else {
            actions += [.startTimer(.keepalive, seconds: keepaliveTime),
                        .startTimer(.hold, seconds: UInt32(negotiatedHoldTime))]
        }
        return actions
    }

    private func restartHoldTimer() -> [SessionAction] {
        negotiatedHoldTime == 0 ? [] : [.startTimer(.hold, seconds: UInt32(negotiatedHoldTime))]
    }

    /// Every way back to Idle: optionally a NOTIFICATION, then close, stop the timers,
    /// release the session, and arm the automatic restart unless the operator stopped us.
    /// The release is graceful (RFC 4724 §4.2: the peer's routes are kept as stale) when
    /// the session ended without a NOTIFICATION either way.
    private mutating func enterIdle(sending notice: NotificationMessage?, restart: Bool,
                                    notificationReceived: Bool = false) -> [SessionAction] {
        var actions: [SessionAction] = []
        if let notice {
            actions.append(.sendNotification(notice))
            lastError = notice
        }
        actions += [.dropConnection, .stopTimer(.connectRetry), .stopTimer(.hold), .stopTimer(.keepalive)]
        if state == .established {
            actions.append(.releaseResources(graceful: notice == nil && !notificationReceived))
        }
        state = .idle
        peerOpen = nil
        negotiatedHoldTime = 0
        if restart && automaticRestart {
            actions.append(.startTimer(.idleHold, seconds: settings.idleHoldTime))
        }
        return actions
    }
}
