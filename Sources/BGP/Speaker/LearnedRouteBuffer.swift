import NetworkCore
import Synchronization

/// Between the speaker's loop and a slower consumer (the kernel table): learned best-path
/// changes wait here coalesced, at most one per prefix (the latest), so a flapping peer or
/// a stalled consumer costs one entry per prefix, not one per change. The loop never waits.
final class LearnedRouteBuffer: Sendable {
    private struct State {
        /// Pending changes in arrival order; a later change of a pending prefix takes its place.
        var changes: [LearnedRouteChange] = []
        var index: [IPPrefix: Int] = [:]
        var waiter: CheckedContinuation<[LearnedRouteChange]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func add(_ batch: [LearnedRouteChange]) {
        let resume = state.withLock { state -> (CheckedContinuation<[LearnedRouteChange]?, Never>, [LearnedRouteChange])? in
            guard !state.finished else { return nil }
            for change in batch {
                if let at = state.index[change.prefix] {
                    state.changes[at] = change
                } else {
                    state.index[change.prefix] = state.changes.count
                    state.changes.append(change)
                }
            }
            guard let waiter = state.waiter, !state.changes.isEmpty else { return nil }
            state.waiter = nil
            return (waiter, Self.take(&state))
        }
        if let (waiter, changes) = resume { waiter.resume(returning: changes) }
    }

    /// No more changes; what is pending is still handed out, then nil.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.changes.isEmpty ? state.waiter : nil
        }
        waiter?.resume(returning: nil)
    }

    /// Everything pending as one batch; waits while nothing is. One consumer.
    func next() async -> [LearnedRouteChange]? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [LearnedRouteChange]?? in
                if !state.changes.isEmpty { return .some(Self.take(&state)) }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private static func take(_ state: inout State) -> [LearnedRouteChange] {
        defer {
            state.changes = []
            state.index = [:]
        }
        return state.changes
    }
}
