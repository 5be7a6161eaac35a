import Dispatch

/// Runs blocking work (waiting for processes, sleeping, file locks) on a Dispatch thread.
/// Swift Testing runs tests in parallel on the cooperative pool, which has one thread per
/// core (2 in CI): a test that blocks those threads stalls every other test's tasks.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
