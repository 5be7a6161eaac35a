/// The timers of RFC 4271 §10 that a session runs, plus the IdleHoldTimer (§8.1.1) that
/// delays the automatic restart after an error.
public enum SessionTimer: String, Sendable, Hashable, CaseIterable {
    case connectRetry
    case hold
    case keepalive
    case idleHold

    /// The FSM event the timer delivers when it expires.
    public var expiryEvent: SessionEvent {
        switch self {
        case .connectRetry: .connectRetryTimerExpires
        case .hold: .holdTimerExpires
        case .keepalive: .keepaliveTimerExpires
        case .idleHold: .automaticStart
        }
    }
}
