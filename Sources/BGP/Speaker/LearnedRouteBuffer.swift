import NetworkCore
import Synchronization

/// Between the speaker's loop and a slower consumer (the kernel table): learned best-path
/// changes wait here coalesced, at most one per prefix (the latest), so a flapping peer or
/// a stalled consumer costs one entry per prefix, not one per change. The consumer takes
/// them in arrival order, at most `batchLimit` at a time, so a full table is never held
/// twice (pending here and in the consumer's hands). The loop never waits.
final class LearnedRouteBuffer: Sendable {
    private struct State {
        /// Pending changes from `start` on, in arrival order; a later change of a pending
        /// prefix takes its place. Before `start`: already taken, dropped on compaction.
        var changes: [LearnedRouteChange] = []
        var start = 0
        /// How many changes compaction dropped from the front: `changes[0]` is change number
        /// `dropped` since the buffer began.
        var dropped = 0
        /// The number (position + `dropped`) of each pending prefix's change.
        var index: [IPPrefix: Int] = [:]
        var waiter: CheckedContinuation<[LearnedRouteChange]?, Never>?
        var finished = false

        var isEmpty: Bool { start == changes.count }
    }

    private let state = Mutex(State())
    let batchLimit: Int

    init(batchLimit: Int = 65_536) {
        self.batchLimit = batchLimit
    }

    func add(_ batch: [LearnedRouteChange]) {
        let limit = batchLimit
        let resume = state.withLock { state -> (CheckedContinuation<[LearnedRouteChange]?, Never>, [LearnedRouteChange])? in
            guard !state.finished else { return nil }
            for change in batch {
                if let number = state.index[change.prefix] {
                    state.changes[number - state.dropped] = change
                } else {
                    state.index[change.prefix] = state.dropped + state.changes.count
                    state.changes.append(change)
                }
            }
            guard let waiter = state.waiter, !state.isEmpty else { return nil }
            state.waiter = nil
            return (waiter, Self.take(&state, limit))
        }
        if let (waiter, changes) = resume { waiter.resume(returning: changes) }
    }

    /// No more changes; what is pending is still handed out, then nil.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.isEmpty ? state.waiter : nil
        }
        waiter?.resume(returning: nil)
    }

    /// The oldest pending changes, at most `batchLimit`; waits while nothing is. One consumer.
    func next() async -> [LearnedRouteChange]? {
        let limit = batchLimit
        return await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [LearnedRouteChange]?? in
                if !state.isEmpty { return .some(Self.take(&state, limit)) }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private static func take(_ state: inout State, _ limit: Int) -> [LearnedRouteChange] {
        let end = min(state.start + limit, state.changes.count)
        let taken = Array(state.changes[state.start..<end])
        for change in taken { state.index[change.prefix] = nil }
        state.start = end
        if state.isEmpty {
            // Drained: a full table's backlog gives its storage back rather than keeping it.
            state.dropped += state.changes.count
            state.changes = []
            state.index = [:]
            state.start = 0
        } else if state.start * 2 > state.changes.count {
            // Drop the taken front (numbers in `index` stay valid through `dropped`).
            state.dropped += state.start
            state.changes.removeFirst(state.start)
            state.start = 0
        }
        return taken
    }
}
