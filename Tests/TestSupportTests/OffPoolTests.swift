import Foundation
import Synchronization
import Testing
import TestSupport

/// `offPool` runs blocking work on a thread of its own; an expectation that fails there must
/// fail the test that ran it (not a test «unknown», with the test itself passing).
struct OffPoolTests {
    @Test func aFailedExpectationOnTheBlockingThreadFailsItsTest() async throws {
        await withKnownIssue("the expectation fails on the blocking thread") {
            try await offPool { #expect(Bool(false), "recorded on the blocking thread") }
        }
    }

    @Test func aFailedRequirementOnTheBlockingThreadFailsItsTest() async throws {
        await withKnownIssue("the requirement fails on the blocking thread") {
            try await offPool { try #require(Bool(false), "recorded on the blocking thread") }
        }
    }

    @Test func theBodyRunsOffTheCooperativePoolAndReturnsItsValue() async throws {
        // More bodies blocked at once than the pool has threads: each needs a thread of its own.
        let arrived = Arrivals()
        let values = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await offPool {
                        arrived.count.withLock { $0 += 1 }
                        let deadline = Date().addingTimeInterval(10)
                        while arrived.count.withLock({ $0 }) < 8, Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
                        return arrived.count.withLock { $0 } == 8
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values == Array(repeating: true, count: 8), "all 8 bodies blocked at once")
    }
}

private final class Arrivals: Sendable {
    let count = Mutex(0)
}
