/// What a batch sent with `NetlinkSocket.performAcknowledged` is known to have done.
public struct NetlinkBatchResult: Sendable {
    /// One outcome per acknowledged request, in order from the first (nil: it succeeded).
    public var outcomes: [NetlinkError?] = []
    /// Why the batch stopped before every request was acknowledged; nil when all were.
    public var interruption: NetlinkError?

    public init(outcomes: [NetlinkError?] = [], interruption: NetlinkError? = nil) {
        self.outcomes = outcomes
        self.interruption = interruption
    }
}
