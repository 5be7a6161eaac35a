import Foundation
import Synchronization

/// One watcher of a `KubernetesLeaseStore`: follows the Nodes watch, keeps the view of
/// leases, re-lists after `410 Gone`, and reports expiries on time (nothing in Kubernetes
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

    /// Watches until cancelled, with a second task reporting expiries as they fall due. Any
    /// failure, a stream silent past the client's idle timeout included (the server sends a
    /// bookmark every minute or so), is reported and retried after a capped, jittered pause,
    /// forever.
    func run(from resourceVersion: String) async {
        let ticker = Task { await self.reportExpiries() }
        defer { ticker.cancel() }
        var resourceVersion = resourceVersion
        var backoff = WatchBackoff()
        let monotonic = ContinuousClock()
        var lastNews = monotonic.now
        while !Task.isCancelled {
            do {
                let watch = try await store.client.watchNodes(from: resourceVersion)
                defer { watch.close() }
                while let event = try await watch.next() {
                    backoff.reset()
                    lastNews = monotonic.now
                    switch event {
                    case .added(let node), .modified(let node):
                        apply(node.name, entry: store.readableLease(of: node).map { Entry(text: node.annotations[KubernetesLeaseStore.annotation]!, lease: $0) })
                        resourceVersion = node.resourceVersion
                    case .deleted(let node):
                        apply(node.name, entry: nil)
                        resourceVersion = node.resourceVersion
                    case .bookmark(let version):
                        resourceVersion = version
                    case .error(let status) where status.isGone:
                        resourceVersion = try await relist()
                    case .error(let status):
                        throw KubernetesError.status(status)
                    }
                }
            } catch KubernetesError.status(let status) where status.isGone {
                do { resourceVersion = try await relist() } catch {
                    await pause(after: error, backoff: &backoff, since: monotonic.now - lastNews)
                }
            } catch {
                if Task.isCancelled { break }
                await pause(after: error, backoff: &backoff, since: monotonic.now - lastNews)
            }
        }
        continuation.finish()
    }

    /// Lists anew (the history the watch needed is gone) and reports what differs.
    private func relist() async throws -> String {
        let list = try await store.client.nodes()
        let entries = store.view(of: list.items)
        let events = view.withLock { view in
            view.entries = entries
            return view.events.update(to: entries.values.map(\.lease), now: clock())
        }
        for event in events { continuation.deliver(event, store: store.name) }
        return list.resourceVersion
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

    /// Reports a failed watch and waits the backoff's next pause.
    private func pause(after error: any Error, backoff: inout WatchBackoff, since lastNews: Duration) async {
        let pause = backoff.next()
        store.report(.watchRetry(store: store.name, error: "\(LeaseStoreError.wrapping(error, store: store.name))",
                                 failures: backoff.failures, sinceLastEvent: lastNews, retryIn: pause))
        try? await Task.sleep(for: pause)
    }
}
