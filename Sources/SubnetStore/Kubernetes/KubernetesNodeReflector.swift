import Foundation

/// Keeps a view of Nodes current, as client-go's reflector does: list, then watch from the
/// list's resourceVersion. After `410 Gone` (the history the watch needed was compacted) it
/// lists again and hands over the whole list, so the caller replaces its view and drops
/// only what is really gone. Any other failure (the API server restarting, a stream silent
/// past the client's `watchIdleTimeout`) is reported and retried after a capped, jittered
/// pause, forever, with the view left as it was meanwhile. Feeds the lease store's watch and
/// the agent's Node-driven peer routes.
public struct KubernetesNodeReflector: Sendable {
    public enum Change: Sendable, Equatable {
        /// A fresh list: the view is exactly these Nodes now.
        case listed([KubernetesNode])
        case updated(KubernetesNode)
        case deleted(KubernetesNode)
    }

    public let client: KubernetesClient
    public let query: KubernetesNodeQuery
    let report: @Sendable (LeaseStoreReport) -> Void

    public init(client: KubernetesClient, query: KubernetesNodeQuery,
                report: @escaping @Sendable (LeaseStoreReport) -> Void = LeaseStoreReport.toStandardError) {
        self.client = client
        self.query = query
        self.report = report
    }

    /// What reports name: `kubernetes://host:port`.
    public var name: String { "kubernetes://\(client.configuration.endpoint.host):\(client.configuration.endpoint.port)" }

    /// The Nodes the query selects, with the resourceVersion to run from.
    public func list() async throws -> KubernetesNodeList {
        try await client.nodes(query)
    }

    /// Applies every change after `resourceVersion` (a list's), until cancelled.
    public func run(from resourceVersion: String, apply: (Change) async -> Void) async {
        var resourceVersion = resourceVersion
        var backoff = WatchBackoff()
        let monotonic = ContinuousClock()
        var lastNews = monotonic.now
        while !Task.isCancelled {
            do {
                let watch = try await client.watchNodes(query, from: resourceVersion)
                defer { watch.close() }
                while let event = try await watch.next() {
                    backoff.reset()
                    lastNews = monotonic.now
                    switch event {
                    case .added(let node), .modified(let node):
                        await apply(.updated(node))
                        resourceVersion = node.resourceVersion
                    case .deleted(let node):
                        await apply(.deleted(node))
                        resourceVersion = node.resourceVersion
                    case .bookmark(let version):
                        resourceVersion = version
                    case .error(let status) where status.isGone:
                        resourceVersion = try await relist(apply)
                    case .error(let status):
                        throw KubernetesError.status(status)
                    }
                }
            } catch KubernetesError.status(let status) where status.isGone {
                do { resourceVersion = try await relist(apply) } catch {
                    await pause(after: error, backoff: &backoff, since: monotonic.now - lastNews)
                }
            } catch {
                if Task.isCancelled { break }
                await pause(after: error, backoff: &backoff, since: monotonic.now - lastNews)
            }
        }
    }

    private func relist(_ apply: (Change) async -> Void) async throws -> String {
        let list = try await list()
        await apply(.listed(list.items))
        return list.resourceVersion
    }

    /// Reports a failed watch and waits the backoff's next pause.
    private func pause(after error: any Error, backoff: inout WatchBackoff, since lastNews: Duration) async {
        let pause = backoff.next()
        report(.watchRetry(store: name, error: "\(LeaseStoreError.wrapping(error, store: name))",
                           failures: backoff.failures, sinceLastEvent: lastNews, retryIn: pause))
        try? await Task.sleep(for: pause)
    }
}
