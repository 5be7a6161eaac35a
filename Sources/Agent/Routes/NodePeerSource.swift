import NetworkCore
import RouteSync
import SubnetStore

/// Kubernetes mode: peers from the Nodes themselves, as flannel's host-gw does: every other
/// edge Node (label `alibabacloud.com/is-edge-worker=true`, selected by the API server)
/// with `spec.podCIDRs` in the domain, through its InternalIP addresses. A Node loses its
/// routes only when it is deleted or its podCIDRs change; after `410 Gone` the re-list is
/// applied as a whole set (only what is really gone goes), and while the API server is
/// away (a restart) every route stays as it was.
public struct NodePeerSource: PeerSource {
    /// The nodes of the edge node pools; the cloud pools' pods live on VPC addresses.
    public static let edgeSelector = "alibabacloud.com/is-edge-worker=true"

    let reflector: KubernetesNodeReflector
    let scope: PeerScope

    public init(client: KubernetesClient, scope: PeerScope,
                report: @escaping @Sendable (LeaseStoreReport) -> Void = LeaseStoreReport.toStandardError) {
        reflector = KubernetesNodeReflector(client: client, query: KubernetesNodeQuery(labelSelector: Self.edgeSelector), report: report)
        self.scope = scope
    }

    func peer(_ node: KubernetesNode) -> PeerNode? {
        scope.peer(name: node.name, addresses: node.internalIPs, subnets: node.podCIDRs.sorted())
    }

    public func changes() async throws -> AsyncThrowingStream<PeerChange, any Error> {
        let list = try await reflector.list()
        return .producing { [self] send in
            send(.all(list.items.compactMap(peer)))
            // Runs until cancelled: failures are retried inside, with the routes left alone.
            await reflector.run(from: list.resourceVersion) { change in
                switch change {
                case .listed(let nodes): send(.all(nodes.compactMap(peer)))
                case .updated(let node): send(peer(node).map { .set($0) } ?? .removed(node.name))
                case .deleted(let node): send(.removed(node.name))
                }
            }
        }
    }
}
