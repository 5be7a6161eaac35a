import Foundation
import NetworkCore

/// The acquire decision every store makes, as a pure function of what the store holds.
/// Stores differ only in how they read the leases and commit the result (a file write under
/// a lock, an etcd transaction, a Kubernetes update); the rules live here once.
public struct LeasePlanner: Sendable {
    public let pools: [NodeSubnetAllocator]

    /// At most one pool per family; at least one.
    public init(pools: [NodeSubnetAllocator]) throws(LeaseStoreError) {
        guard !pools.isEmpty else { throw .badConfiguration("no cluster CIDR configured: a store needs one pool per family it leases") }
        guard Set(pools.map(\.family)).count == pools.count else {
            throw .badConfiguration("two pools of one family: \(pools.map(\.description).joined(separator: "; ")); dual stack takes one IPv4 and one IPv6 pool")
        }
        self.pools = pools.sorted { $0.family == .v4 && $1.family == .v6 }
    }

    /// What acquiring means right now.
    public struct Plan: Hashable, Sendable {
        /// The lease to write (revision still that of the existing record, or 0 when new).
        public var lease: Lease
        /// Expired leases of other nodes whose subnets `lease` takes: delete them in the same write.
        public var reclaimed: [Lease]
    }

    /// Keeps the node's own subnets when it still has a usable record (live or expired but
    /// not yet reclaimed), otherwise picks new ones. Never-used subnets are preferred over
    /// expired ones, so a node coming back late still finds its old subnet if the pool allows.
    ///
    /// `expiredBefore` says who decides expiry: a lease of another node counts as expired,
    /// and may be reclaimed, only when it expired at or before that instant. nil: the store's
    /// server expires leases itself (etcd's leases), so no record is ever judged by a local
    /// clock. `alsoTaken` are subnets known to be held whose records were not read (or
    /// cannot be decoded).
    public func plan(_ request: LeaseRequest, existing: [Lease], alsoTaken: [IPPrefix] = [], now: Date,
                     expiredBefore: Date?) throws(LeaseStoreError) -> Plan {
        try request.validate()
        // One pass: the node's own record, every other node's subnets, and the expired ones.
        var mine: Lease?
        var takenByAll: [IPPrefix] = alsoTaken, takenByLive: [IPPrefix] = alsoTaken
        var expired: [Lease] = []
        for lease in existing {
            if lease.node == request.node { mine = lease; continue }
            takenByAll += lease.subnets
            if let expiredBefore, lease.expiresAt <= expiredBefore { expired.append(lease) } else { takenByLive += lease.subnets }
        }
        func expiredHolders(of subnet: IPPrefix) -> [Lease] {
            expired.filter { $0.subnets.contains { $0.overlaps(subnet) } }
        }
        if let mine, !mine.owner.isEmpty, mine.owner != request.owner,
           expiredBefore.map({ mine.expiresAt > $0 }) ?? true {
            throw .ownedElsewhere(node: request.node, owner: mine.owner, requester: request.owner)
        }
        var subnets: [IPPrefix] = []
        var reclaimed: [Lease] = []
        for pool in pools {
            if let old = mine?.subnet(of: pool.family), pool.accepts(old), !takenByLive.contains(where: { $0.overlaps(old) }) {
                subnets.append(old)
                reclaimed += expiredHolders(of: old)
                continue
            }
            let subnet: IPPrefix
            do {
                subnet = try pool.allocate(for: request.node, avoiding: takenByAll)
            } catch {
                subnet = try pool.allocate(for: request.node, avoiding: takenByLive)
                reclaimed += expiredHolders(of: subnet)
            }
            subnets.append(subnet)
        }
        let keepsSubnets = mine.map { $0.subnets == subnets.sorted() && !$0.isExpired(at: now) } ?? false
        let lease = Lease(node: request.node, subnets: subnets, nodeAddress: request.nodeAddress,
                          domain: request.domain, acquiredAt: keepsSubnets ? mine!.acquiredAt : now,
                          renewedAt: now, expiresAt: now + request.ttl.timeInterval,
                          revision: mine?.revision ?? 0, backendData: request.backendData, owner: request.owner)
        try LeaseRecordCodec.checkSize(of: lease)
        var seen = Set<String>()
        return Plan(lease: lease, reclaimed: reclaimed.filter { seen.insert($0.node).inserted })
    }

    /// The renewal of `node`'s lease in `existing` by the machine `owner`, or why there is
    /// none: only the machine holding a lease extends it (a clone under the same node name
    /// must not keep another machine's subnet alive). `judgeExpiry` false: the store's server
    /// says whether the lease still lives (etcd's lease keep-alive).
    public static func renewal(of node: String, ttl: Duration, owner: String, existing: Lease?, now: Date,
                               judgeExpiry: Bool = true) throws(LeaseStoreError) -> Lease {
        do {
            try LeaseLimits.validateTTL(ttl)
            try LeaseLimits.validateOwner(owner)
        } catch { throw .invalidRequest(node: node, reason: error.description) }
        guard let existing else { throw .notFound(node: node) }
        // Records from before owners existed name none: any machine may renew those.
        guard existing.owner.isEmpty || existing.owner == owner else {
            throw .ownedElsewhere(node: node, owner: existing.owner, requester: owner)
        }
        guard !judgeExpiry || !existing.isExpired(at: now) else { throw .leaseExpired(node: node) }
        return existing.renewed(at: now, ttl: ttl)
    }
}
