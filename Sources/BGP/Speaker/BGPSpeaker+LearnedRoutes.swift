import BGPCore

/// The Loc-RIB's learned routes for a kernel table (RouteSync), without BGP knowing netlink.
extension BGPSpeaker {
    /// The best-path changes of learned routes, in batches in the order the RIB made them
    /// (one batch per UPDATE, session end or originate run). Call before `start()`; one
    /// observer. The stream ends when `shutdown()` begins: the withdrawals a shutdown causes
    /// are not reported, the caller decides what the kernel keeps (RFC 4724 forwarding state).
    public func learnedRouteChanges() -> AsyncStream<[LearnedRouteChange]> {
        let (stream, continuation) = AsyncStream<[LearnedRouteChange]>.makeStream()
        learnedRoutesObserver = continuation
        return stream
    }

    func reportLearned(_ changes: [BestPathChange]) {
        guard let learnedRoutesObserver, !stopping else { return }
        learnedRoutesObserver.yield(changes.map(LearnedRouteChange.init))
    }
}
