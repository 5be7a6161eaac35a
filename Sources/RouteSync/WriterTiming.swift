import Glibc

/// How long one change took inside the writer: wall time from taking it to the kernel's
/// last ACK, and the writer thread's CPU time (user and kernel, netlink processing included),
/// which a loaded machine's scheduling delays do not inflate; and when the last ACK came,
/// so a caller can time a change from wherever it took it (an event's arrival) to the kernel.
public struct WriterTiming: Hashable, Sendable {
    public var wall: Duration
    public var cpu: Duration
    public var acked: ContinuousClock.Instant

    static func threadCPUTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
    }
}
