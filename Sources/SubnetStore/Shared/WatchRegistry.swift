import Synchronization

/// The watches a network store has running, and whether it is closed: `close()` stops
/// them all and later calls are refused. Shared by the etcd and Kubernetes stores.
final class WatchRegistry: Sendable {
    private struct State {
        var closed = false
        var watches: [Int: Task<Void, Never>] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Runs `follow` as a watch feeding `continuation`; a consumer that stops listening
    /// cancels it. On a closed store the stream ends at once with `.closed`.
    func start(_ continuation: AsyncThrowingStream<LeaseEvent, any Error>.Continuation,
               _ follow: @escaping @Sendable () async -> Void) {
        let started = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            let id = state.next
            state.next += 1
            let task = Task {
                await follow()
                _ = self.state.withLock { $0.watches.removeValue(forKey: id) }
            }
            state.watches[id] = task
            continuation.onTermination = { _ in task.cancel() }
            return true
        }
        if !started { continuation.finish(throwing: LeaseStoreError.closed) }
    }

    /// Marks the store closed, cancels every watch and waits for them to end.
    func close() async {
        let watches = state.withLock { state in
            state.closed = true
            defer { state.watches = [:] }
            return Array(state.watches.values)
        }
        for watch in watches { watch.cancel() }
        for watch in watches { await watch.value }
    }
}
