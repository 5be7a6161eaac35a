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
        /// Changes the consumer is done with: those it took before its latest `next()`.
        var doneThrough = 0
        /// `applied()` callers, each with the number of changes added when it asked.
        var appliedWaiters: [(through: Int, continuation: CheckedContinuation<Void, Never>)] = []

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
        let (waiter, applied) = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil; state.appliedWaiters = [] }
            return (state.isEmpty ? state.waiter : nil, state.appliedWaiters)
        }
        waiter?.resume(returning: nil)
        for waiter in applied { waiter.continuation.resume() }
    }

    /// Returns once the consumer is done with every change added so far: it took them and
    /// then asked for more (or the buffer finished). A graceful restart's sweep waits for
    /// this, so the routes learned again are in the kernel before the rest is removed.
    func applied() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                let through = state.dropped + state.changes.count
                guard !state.finished, state.doneThrough < through else { return true }
                state.appliedWaiters.append((through, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// The oldest pending changes, at most `batchLimit`; waits while nothing is. One consumer.
    /// Asking again means the consumer is done with what it took before.
    func next() async -> [LearnedRouteChange]? {
        let limit = batchLimit
        return await withCheckedContinuation { continuation in
            let (ready, applied) = state.withLock { state -> ([LearnedRouteChange]??, [CheckedContinuation<Void, Never>]) in
                state.doneThrough = state.dropped + state.start
                let applied = Self.takeApplied(&state)
                if !state.isEmpty { return (.some(Self.take(&state, limit)), applied) }
                if state.finished { return (.some(nil), applied) }
                state.waiter = continuation
                return (nil, applied)
            }
            for waiter in applied { waiter.resume() }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private static func takeApplied(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let done = state.doneThrough
        let ready = state.appliedWaiters.filter { $0.through <= done }.map(\.continuation)
        state.appliedWaiters.removeAll { $0.through <= done }
        return ready
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
