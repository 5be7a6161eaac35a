/// One change a watcher sees. A watch stream starts with `added` for every lease that
/// exists when it is opened (the snapshot), then reports changes in store order.
public enum LeaseEvent: Hashable, Sendable {
    /// A node took subnets (or the snapshot listed its lease).
    case added(Lease)
    /// Only the expiry moved forward.
    case renewed(Lease)
    /// Subnets, node address, domain or backend data changed.
    case changed(Lease)
    /// The expiry passed without a renewal; the subnets are up for reclaim. Carries the last state.
    case expired(Lease)
    /// The node released its lease. Carries the last state.
    case deleted(Lease)

    public var lease: Lease {
        switch self {
        case .added(let l), .renewed(let l), .changed(let l), .expired(let l), .deleted(let l): l
        }
    }

    public var kind: String {
        switch self {
        case .added: "added"
        case .renewed: "renewed"
        case .changed: "changed"
        case .expired: "expired"
        case .deleted: "deleted"
        }
    }

    /// The event that turns `old` (nil: unknown) into `new`.
    public static func between(_ old: Lease?, _ new: Lease) -> LeaseEvent {
        guard let old else { return .added(new) }
        return new.isRenewal(of: old) ? .renewed(new) : .changed(new)
    }
}
