import Foundation

/// Turns successive full views of a store into watch events. Stores that learn about changes
/// as snapshots (the embedded file, a Kubernetes re-list after `410 Gone`) feed every view
/// here and forward what comes out, so all stores classify events the same way.
public struct LeaseWatchState: Sendable {
    /// The leases as last reported, by node.
    public private(set) var known: [String: Lease] = [:]
    private var reportedExpired: Set<String> = []

    public init() {}

    /// The events that lead from the last view to `leases`, followed by expiries due at `now`.
    public mutating func update(to leases: [Lease], now: Date) -> [LeaseEvent] {
        var events: [LeaseEvent] = []
        let current = Dictionary(leases.map { ($0.node, $0) }, uniquingKeysWith: { _, last in last })
        for lease in leases.sorted(by: { $0.node < $1.node }) {
            let old = known[lease.node]
            guard old != lease else { continue }
            let wasReportedExpired = reportedExpired.remove(lease.node) != nil
            events.append(wasReportedExpired ? .added(lease) : LeaseEvent.between(old, lease))
        }
        for (node, old) in known.sorted(by: { $0.key < $1.key }) where current[node] == nil {
            if !reportedExpired.contains(node) {
                events.append(old.isExpired(at: now) ? .expired(old) : .deleted(old))
            }
            reportedExpired.remove(node)
        }
        known = current
        return events + expire(now: now)
    }

    /// The events of one node's change (nil: its lease is gone), without looking at the other
    /// leases: what a watch stream applies per event, so a mass restart stays linear.
    public mutating func set(_ node: String, _ lease: Lease?, now: Date) -> [LeaseEvent] {
        let old = known[node]
        guard old != lease else { return [] }
        known[node] = lease
        let wasReportedExpired = reportedExpired.remove(node) != nil
        guard let lease else {
            guard let old, !wasReportedExpired else { return [] }
            return [old.isExpired(at: now) ? .expired(old) : .deleted(old)]
        }
        var events = [wasReportedExpired ? .added(lease) : LeaseEvent.between(old, lease)]
        if lease.isExpired(at: now) {
            reportedExpired.insert(node)
            events.append(.expired(lease))
        }
        return events
    }

    /// `.expired` for each known lease whose expiry has passed since it was last reported.
    public mutating func expire(now: Date) -> [LeaseEvent] {
        known.values.filter { $0.isExpired(at: now) && reportedExpired.insert($0.node).inserted }
            .sorted { $0.node < $1.node }
            .map { .expired($0) }
    }

    /// The next instant at which `expire(now:)` will have something to report.
    public func nextExpiry() -> Date? {
        known.values.filter { !reportedExpired.contains($0.node) }.map(\.expiresAt).min()
    }

    /// The current view as `.added` events, for a watcher that joins now (expired leases follow as `.expired`).
    public var snapshotEvents: [LeaseEvent] {
        let leases = known.values.sorted { $0.node < $1.node }
        return leases.map { .added($0) } + leases.filter { reportedExpired.contains($0.node) }.map { .expired($0) }
    }
}
