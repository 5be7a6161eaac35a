/// The stream a watch hands its caller, with a bounded buffer: a consumer that falls
/// `limit` events behind has its stream ended with `.unavailable` (and watches again)
/// instead of the store holding events without bound.
enum LeaseEventStream {
    typealias Continuation = AsyncThrowingStream<LeaseEvent, any Error>.Continuation

    /// Room for the snapshot of `leases` several times over, and at least 16,384 events.
    static func make(leases: Int) -> (AsyncThrowingStream<LeaseEvent, any Error>, Continuation) {
        AsyncThrowingStream.makeStream(of: LeaseEvent.self, bufferingPolicy: .bufferingOldest(max(16_384, 4 * leases)))
    }
}

extension AsyncThrowingStream<LeaseEvent, any Error>.Continuation {
    /// Yields `event`; when the buffer is full, ends the stream with the reason instead.
    func deliver(_ event: LeaseEvent, store: String) {
        if case .dropped = yield(event) {
            finish(throwing: LeaseStoreError.unavailable(store: store, reason: "the watcher fell too many events behind; watch again"))
        }
    }
}
