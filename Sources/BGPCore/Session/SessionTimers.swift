/// The deadlines of a session's timers on a clock the caller supplies: the Speaker passes
/// monotonic time, tests a manual clock. Applies the FSM's timer actions and reports expiries.
public struct SessionTimers: Sendable {
    public private(set) var deadlines: [SessionTimer: Duration] = [:]

    public init() {}

    /// Carries out the `startTimer`/`stopTimer` actions among `actions`; ignores the others.
    public mutating func apply(_ actions: [SessionAction], now: Duration) {
        for action in actions {
            switch action {
            case .startTimer(let timer, let seconds):
                deadlines[timer] = now + .seconds(Int64(seconds))
            case .stopTimer(let timer):
                deadlines[timer] = nil
            default:
                break
            }
        }
    }

    /// The earliest running deadline, to schedule one wake-up.
    public var nextDeadline: Duration? { deadlines.values.min() }

    /// Removes and returns the timer that is due first at `now`, if any.
    public mutating func popExpired(now: Duration) -> SessionTimer? {
        guard let (timer, deadline) = deadlines.min(by: { $0.value < $1.value }), deadline <= now else { return nil }
        deadlines[timer] = nil
        return timer
    }
}
