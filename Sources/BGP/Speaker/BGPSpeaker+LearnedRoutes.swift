import BGPCore

/// The Loc-RIB's learned routes for a kernel table (RouteSync), without BGP knowing netlink.
extension BGPSpeaker {
    /// The best-path changes of learned routes, in batches in the order the RIB made them.
    /// Bounded: while the consumer is busy, changes wait coalesced, one per prefix (the
    /// latest), and the next batch is all of them (`LearnedRouteBuffer`). Call before
    /// `start()`; one observer. The stream ends when `shutdown()` begins: the withdrawals a
    /// shutdown causes are not reported, the caller decides what the kernel keeps (RFC 4724
    /// forwarding state).
    public func learnedRouteChanges() -> AsyncStream<[LearnedRouteChange]> {
        let buffer = LearnedRouteBuffer()
        learnedRoutes = buffer
        return AsyncStream(unfolding: { await buffer.next() })
    }

    func reportLearned(_ changes: [BestPathChange]) {
        guard let learnedRoutes, !stopping else { return }
        learnedRoutes.add(changes.map(LearnedRouteChange.init))
    }
}
