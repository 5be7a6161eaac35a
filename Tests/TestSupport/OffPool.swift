import Foundation

/// Runs blocking work (waiting for processes, sleeping, file locks) on a thread of its own.
/// Swift Testing runs tests in parallel on the cooperative pool, which has one thread per
/// core (2 in CI), and Dispatch's global queues are limited the same way: blocking either
/// stalls every other test's tasks and queued work, so a fresh thread takes the wait.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "te-test-blocking"
        thread.start()
    }
}
