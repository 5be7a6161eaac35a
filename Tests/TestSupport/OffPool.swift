import Foundation

/// Runs blocking work (waiting for processes, sleeping, file locks) on a thread of its own.
/// Swift Testing runs tests in parallel on the cooperative pool, which has one thread per
/// core (2 in CI), and Dispatch's global queues are limited the same way: blocking either
/// stalls every other test's tasks and queued work, so a fresh thread takes the wait.
///
/// The body runs in a task (which inherits the test's task-locals) on an executor owning
/// that thread, not on a bare `Thread`: Swift Testing finds the running test through
/// task-locals, and an `#expect` failing on a bare thread is charged to a test «unknown»
/// while the test that made it passes.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let executor = DedicatedThreadExecutor(name: "te-test-blocking")
    defer { executor.finish() }
    return try await Task(executorPreference: executor) { try body() }.value
}

/// A task executor with one thread, which ends once `finish` is called and its jobs are run.
private final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    func finish() {
        condition.withLock {
            finished = true
            condition.signal()
        }
    }

    private func run() {
        while let job = next() { job.runSynchronously(on: asUnownedTaskExecutor()) }
    }

    private func next() -> UnownedJob? {
        condition.withLock {
            while jobs.isEmpty && !finished { condition.wait() }
            return jobs.isEmpty ? nil : jobs.removeFirst()
        }
    }
}
