import Synchronization

/// A value that services share: one publisher, any number of followers. A follower's stream
/// starts with the current value and then sees each newer one; a slow follower skips to the
/// newest (it wants the state, not the history).
public final class Broadcast<Value: Sendable>: Sendable {
    private struct State {
        var value: Value
        var followers: [Int: AsyncStream<Value>.Continuation] = [:]
        var nextID = 0
    }

    private let state: Mutex<State>

    public init(_ initial: Value) {
        state = Mutex(State(value: initial))
    }

    public var value: Value { state.withLock { $0.value } }

    public func publish(_ value: Value) {
        let followers = state.withLock { state in
            state.value = value
            return Array(state.followers.values)
        }
        for follower in followers { follower.yield(value) }
    }

    /// The current value, then every change, until `finish()` or the stream is dropped.
    public func updates() -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream<Value>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.followers[id] = continuation
            continuation.yield(state.value)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.followers.removeValue(forKey: id) }
        }
        return stream
    }

    public func finish() {
        let followers = state.withLock { state in
            defer { state.followers.removeAll() }
            return Array(state.followers.values)
        }
        for follower in followers { follower.finish() }
    }
}
