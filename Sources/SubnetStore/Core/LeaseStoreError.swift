import NetworkCore

/// Every failure a `LeaseStore` reports. Stores map their transport errors onto these cases
/// so callers (agent, CLI) handle one set; each case says what to look at.
public enum LeaseStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No free subnet is left in `block`. `capacity` subnets of `/subnetLength` exist
    /// between the first and last allowed subnet, `reserved` of them are reserved and
    /// `leased` are held by live leases.
    case exhausted(block: IPPrefix, subnetLength: Int, capacity: UInt128, reserved: UInt128, leased: Int)
    /// A compare-and-swap write kept losing against other writers; `key` names the record.
    case conflict(key: String, attempts: Int)
    /// The record stored under `key` cannot be used; `reason` says which field and why.
    case corruptRecord(key: String, reason: String)
    /// The store cannot be reached or read (`store` names it: a file path, endpoints, ...).
    case unavailable(store: String, reason: String)
    /// No lease for `node`.
    case notFound(node: String)
    /// `renew` came after the lease's expiry; acquire again.
    case leaseExpired(node: String)
    /// Another machine (`owner`, its machine id) holds `node`'s live lease: two machines use
    /// one node name (a cloned image), and sharing the subnet would break both.
    case ownedElsewhere(node: String, owner: String, requester: String)
    /// The request breaks a rule of `LeaseLimits` or of the store's configuration.
    case invalidRequest(node: String, reason: String)
    /// The store URL or options cannot be used.
    case badConfiguration(String)
    /// The store was closed.
    case closed

    public var description: String {
        switch self {
        case let .exhausted(block, length, capacity, reserved, leased):
            "no free /\(length) subnet left in \(block): \(capacity) subnets, \(reserved) reserved, \(leased) leased"
        case let .conflict(key, attempts):
            "lease record '\(key)' changed under us \(attempts) times in a row; giving up"
        case let .corruptRecord(key, reason):
            "lease record '\(key)' is corrupt: \(reason)"
        case let .unavailable(store, reason):
            "lease store \(store) is unavailable: \(reason)"
        case let .notFound(node):
            "node '\(node)' holds no lease"
        case let .leaseExpired(node):
            "the lease of node '\(node)' has expired; acquire it again"
        case let .ownedElsewhere(node, owner, requester):
            "node name '\(node)' is held by machine \(owner), not by this machine \(requester): two machines use one node name (a cloned image?); give each its own name or machine id"
        case let .invalidRequest(node, reason):
            "invalid lease request for node '\(node)': \(reason)"
        case let .badConfiguration(reason):
            "bad lease store configuration: \(reason)"
        case .closed:
            "the lease store is closed"
        }
    }
}
