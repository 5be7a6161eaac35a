import NetworkCore
import RouteSync

/// A change to the set of peers whose host routes the node keeps.
public enum PeerChange: Sendable, Equatable {
    /// The whole set: at the start, and after a re-list. Peers not in it lose their routes;
    /// those in it keep theirs untouched.
    case all([PeerNode])
    /// A peer is new or changed.
    case set(PeerNode)
    /// The peer of this name is gone.
    case removed(String)
}

/// Where the node learns its peers: the lease store's watch (`LeasePeerSource`) or, in
/// Kubernetes mode, the Nodes (`NodePeerSource`). `PeerRouteService` turns either into routes.
public protocol PeerSource: Sendable {
    /// `.all` first, then changes until cancelled. Throwing ends it; the service asks again.
    func changes() async throws -> AsyncThrowingStream<PeerChange, any Error>
}

/// Which other nodes this node routes to directly: those of its domain, every subnet of
/// theirs inside the domain's pod CIDRs. Shared by every source.
public struct PeerScope: Sendable {
    public let node: String
    public let podCIDRs: [IPPrefix]

    public init(node: String, podCIDRs: [IPPrefix]) {
        self.node = node
        self.podCIDRs = podCIDRs
    }

    /// The peer, or nil when it is this node, has no subnet or address, or has a subnet
    /// outside the domain.
    public func peer(name: String, addresses: [IPAddress], subnets: [IPPrefix]) -> PeerNode? {
        guard name != node, !addresses.isEmpty, !subnets.isEmpty,
              subnets.allSatisfy({ subnet in podCIDRs.contains { $0.contains(subnet) } }) else { return nil }
        return PeerNode(name: name, nodeAddresses: addresses, subnets: subnets)
    }
}

/// A source's consumer fell this many changes behind: its stream ends with this error and
/// the service asks again (a fresh whole set, applied as a diff) instead of the source
/// holding changes without bound.
struct PeerChangesOverflow: Error, CustomStringConvertible {
    static let limit = 16_384
    var description: String { "the route writer fell \(Self.limit) peer changes behind; following the peers again" }
}

extension AsyncThrowingStream where Element == PeerChange, Failure == any Error {
    /// A bounded stream fed by `produce` (through `send`) on a task of its own, cancelled
    /// when the consumer stops.
    static func producing(_ produce: @escaping @Sendable (_ send: @escaping @Sendable (PeerChange) -> Void) async throws -> Void) -> Self {
        let (stream, continuation) = makeStream(of: PeerChange.self, bufferingPolicy: .bufferingOldest(PeerChangesOverflow.limit))
        let send: @Sendable (PeerChange) -> Void = { change in
            if case .dropped = continuation.yield(change) { continuation.finish(throwing: PeerChangesOverflow()) }
        }
        let task = Task {
            do {
                try await produce(send)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
