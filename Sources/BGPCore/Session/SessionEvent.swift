/// The RFC 4271 §8.1 events the FSM reacts to. Timer expiries come from `SessionTimers`,
/// the connection events and messages from the Speaker.
public enum SessionEvent: Sendable, Hashable {
    /// Event 1: the operator (or the speaker at start) starts the session.
    case manualStart
    /// Event 2: stop, with NOTIFICATION Cease/Administrative Shutdown when a session exists.
    case manualStop
    /// Our graceful restart (RFC 4724): close without NOTIFICATION so that the peer keeps our routes.
    case gracefulRestartStop
    /// Events 3 and 13: restart after an error, when the IdleHoldTimer expires.
    case automaticStart
    case connectRetryTimerExpires
    case holdTimerExpires
    case keepaliveTimerExpires
    /// Events 16/17: a TCP connection to or from the peer is up.
    case tcpConnectionConfirmed
    /// Event 18: the connection failed or the peer closed it.
    case tcpConnectionFails
    /// Event 19: an OPEN that the codec decoded.
    case openReceived(OpenSummary)
    /// Events 21/22: a header or OPEN error found while decoding; the NOTIFICATION to send.
    case messageError(NotificationMessage)
    /// Event 23: collision detection (§6.8) chose the other connection.
    case openCollisionDump
    /// Event 24/25: the peer sent a NOTIFICATION.
    case notificationReceived(NotificationMessage)
    case keepaliveReceived
    case updateReceived
    /// A ROUTE-REFRESH (RFC 2918): proof of life like an UPDATE.
    case routeRefreshReceived
    /// Event 28: an UPDATE error that RFC 7606 says ends the session, or a local reason
    /// such as max-prefix; the NOTIFICATION to send.
    case updateError(NotificationMessage)
}

/// What the FSM needs from the peer's OPEN (RFC 4271 §4.2), once the codec accepted it.
public struct OpenSummary: Sendable, Hashable {
    public var holdTime: UInt16
    public var bgpIdentifier: UInt32

    public init(holdTime: UInt16, bgpIdentifier: UInt32) {
        self.holdTime = holdTime
        self.bgpIdentifier = bgpIdentifier
    }
}
