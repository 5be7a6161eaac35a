import Foundation
import Synchronization

/// One watcher of a `KubernetesLeaseStore`: follows the Nodes (metadata only: the lease is
/// an annotation) through a `KubernetesNodeReflector`, keeps the view of leases, and
/// reports expiries on time (nothing in Kubernetes
/// deletes an expired annotation, so the watcher's clock does).
final class KubernetesLeaseWatch: Sendable {
    /// A Node's lease with the annotation text it came from: a Node update that leaves the
    /// text alone (status heartbeats) is no lease event.
    struct Entry: Sendable, Equatable {
        var text: String
        var lease: Lease
    }

    private struct View: Sendable {
        var entries: [String: Entry]
        var events = LeaseWatchState()
    }

    private let store: KubernetesLeaseStore
    private let view: Mutex<View>
    private let continuation: AsyncThrowingStream<LeaseEvent, any Error>.Continuation
    private let clock: @Sendable () -> Date

    init(store: KubernetesLeaseStore, view entries: [String: Entry], clock: @escaping @Sendable () -> Date,
         continuation: AsyncThrowingStream<LeaseEvent, any Error>.Continuation) {
        self.store = store
        self.continuation = continuation
        self.clock = clock
        var view = View(entries: entries)
        for event in view.events.update(to: entries.values.map(\.lease), now: clock()) { continuation.deliver(event, store: store.name) }
        self.view = Mutex(view)
    }

    /// Follows the Nodes until cancelled (the reflector re-lists after 410 and retries every
    /// failure, a stream silent past the client's idle timeout included), with a second task
    /// reporting expiries as they fall due.
    func run(_ reflector: KubernetesNodeReflector, from resourceVersion: String) async {
        let ticker = Task { await self.reportExpiries() }
        defer { ticker.cancel() }
        await reflector.run(from: resourceVersion) { change in
            switch change {
            case .listed(let nodes): replace(with: store.view(of: nodes))
            case .updated(let node):
                apply(node.name, entry: store.readableLease(of: node).map { Entry(text: node.annotations[KubernetesLeaseStore.annotation]!, lease: $0) })
            case .deleted(let node): apply(node.name, entry: nil)
            }
        }
        continuation.finish()
    }

    /// A fresh list (the history the watch needed is gone): reports what differs.
    private func replace(with entries: [String: Entry]) {
        let events = view.withLock { view in
            view.entries = entries
            return view.events.update(to: entries.values.map(\.lease), now: clock())
        }
        for event in events { continuation.deliver(event, store: store.name) }
    }

    private func apply(_ node: String, entry: Entry?) {
        let events = view.withLock { view -> [LeaseEvent] in
            guard view.entries[node]?.text != entry?.text else { return [] }
            view.entries[node] = entry
            return view.events.set(node, entry?.lease, now: clock())
        }
        for event in events { continuation.deliver(event, store: store.name) }
    }

    private func reportExpiries() async {
        while !Task.isCancelled {
            let (events, next) = view.withLock { view in (view.events.expire(now: clock()), view.events.nextExpiry()) }
            for event in events { continuation.deliver(event, store: store.name) }
            let wait = min(max(next.map { $0.timeIntervalSince(clock()) } ?? 1, 0.01), 1)
            try? await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 5))
        }
    }
}
