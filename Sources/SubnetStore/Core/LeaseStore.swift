/// Where node subnet leases live: embedded file, etcd v3 or the Kubernetes API.
///
/// Contract every store keeps (checked by the conformance suite in the tests):
/// - `acquire` is idempotent: the same node gets the same lease back (renewed, with the
///   request's address/data applied). A node whose lease still lives, or whose expired lease
///   nobody reclaimed yet, gets its old subnets back.
/// - New subnets come from the store's `NodeSubnetAllocator`s (one per family) and never
///   overlap a live lease. Expired leases of other nodes are reclaimed when needed.
/// - Every error thrown is a `LeaseStoreError`.
/// - `watch` starts with `.added` for each existing lease, then streams changes made
///   through any client of the same store (other processes, other hosts).
public protocol LeaseStore: Sendable {
    /// Takes (or takes back) subnets for `request.node`, valid for `request.ttl`.
    func acquire(_ request: LeaseRequest) async throws -> Lease
    /// Extends a live lease by `ttl` from now, for the machine `owner` that holds it. Throws
    /// `.notFound`, `.leaseExpired`, or `.ownedElsewhere` when another machine holds it.
    func renew(node: String, ttl: Duration, owner: String) async throws -> Lease
    /// Gives the subnets back; returns the released lease, nil when there was none.
    @discardableResult
    func release(node: String) async throws -> Lease?
    /// The lease of `node` (expired ones included: check `isExpired(at:)`).
    func get(node: String) async throws -> Lease?
    /// Every lease, sorted by node name (expired ones included).
    func list() async throws -> [Lease]
    /// The snapshot as `.added` events, then live changes until the stream is cancelled or
    /// the store is closed (the stream finishes) or fails (it throws a `LeaseStoreError`).
    func watch() async throws -> AsyncThrowingStream<LeaseEvent, any Error>
    /// Stops watches and releases connections/locks. Idempotent; later calls throw `.closed`.
    func close() async
}

extension LeaseStore {
    /// Renews as this machine (`MachineID.current`), the owner every request names by default.
    public func renew(node: String, ttl: Duration) async throws -> Lease {
        try await renew(node: node, ttl: ttl, owner: MachineID.current)
    }
}
