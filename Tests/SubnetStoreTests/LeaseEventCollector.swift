import Foundation
import SubnetStore

/// Drains a watch stream in the background so a test can wait for the event it expects.
actor LeaseEventCollector {
    private(set) var events: [LeaseEvent] = []
    private(set) var failure: (any Error)?
    private var task: Task<Void, Never>?

    init(_ stream: AsyncThrowingStream<LeaseEvent, any Error>) {
        task = nil
        Task { await self.start(stream) }
    }

    private func start(_ stream: AsyncThrowingStream<LeaseEvent, any Error>) {
        task = Task {
            do {
                for try await event in stream { self.append(event) }
            } catch {
                self.fail(error)
            }
        }
    }

    private func append(_ event: LeaseEvent) { events.append(event) }
    private func fail(_ error: any Error) { failure = error }

    /// Waits until an event of `kind` for `node` arrived after position `from`; returns it.
    /// The bound only ends a hang (a loaded machine is slow, not wrong).
    func next(_ kind: String, node: String, after from: Int = 0, timeout: Duration = .seconds(60)) async throws -> LeaseEvent {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let event = events.dropFirst(from).first(where: { $0.kind == kind && $0.lease.node == node }) {
                return event
            }
            if let failure { throw failure }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw WatchTimeout(kind: kind, node: node, seen: events.map { "\($0.kind) \($0.lease.node)" })
    }

    /// The kinds of the events seen so far for `node`, in order.
    func kinds(of node: String) -> [String] { events.filter { $0.lease.node == node }.map(\.kind) }

    func stop() { task?.cancel() }

    struct WatchTimeout: Error, CustomStringConvertible {
        let kind: String, node: String, seen: [String]
        var description: String { "no '\(kind)' event for \(node) arrived; seen: \(seen)" }
    }
}
