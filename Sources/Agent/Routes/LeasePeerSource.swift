import Foundation
import NetworkCore
import RouteSync
import SubnetStore

/// Peers from the lease store: every live edge lease of the domain, through its node
/// address and the addresses in its backend data. A lease released or expired removes
/// the peer.
public struct LeasePeerSource: PeerSource {
    let store: any LeaseStore
    let scope: PeerScope

    public init(store: any LeaseStore, scope: PeerScope) {
        self.store = store
        self.scope = scope
    }

    /// The node's address records in a lease's backend data (all of them, comma-separated).
    public static let addressesKey = "node-addresses"

    /// The peer a lease describes, or nil when it is this node's, another domain's, or expired.
    func peer(_ lease: Lease, now: Date) -> PeerNode? {
        guard lease.domain == .edge, !lease.isExpired(at: now) else { return nil }
        var addresses = [lease.nodeAddress]
        for text in (lease.backendData[Self.addressesKey] ?? "").split(separator: ",") {
            if let address = IPAddress(text), !addresses.contains(address) { addresses.append(address) }
        }
        return scope.peer(name: lease.node, addresses: addresses, subnets: lease.subnets)
    }

    /// The whole set from a listing taken after the watch opened, then one change per event.
    public func changes() async throws -> AsyncThrowingStream<PeerChange, any Error> {
        let events = try await store.watch()
        let now = Date()
        let all = try await store.list().compactMap { peer($0, now: now) }
        return .producing { send in
            send(.all(all))
            for try await event in events {
                switch event {
                case .added(let lease), .changed(let lease), .renewed(let lease):
                    send(peer(lease, now: Date()).map { .set($0) } ?? .removed(lease.node))
                case .expired(let lease), .deleted(let lease):
                    send(.removed(lease.node))
                }
            }
        }
    }
}
