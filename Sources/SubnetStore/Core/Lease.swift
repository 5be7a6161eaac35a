import Foundation
import NetworkCore

/// Which network a node lives in. Edge nodes route to the peers of their own domain.
public enum NetworkDomain: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case cloud
    case edge

    public var description: String { rawValue }
}

/// One node's hold on its pod subnet(s): the unit every store keeps, one per node.
///
/// Times are whole milliseconds (the record codec's precision), so a lease read back from
/// any store compares equal to the one that was written.
public struct Lease: Hashable, Sendable {
    /// The Kubernetes node name (a DNS-1123 subdomain); the lease's key in every store.
    public var node: String
    /// The node's pod subnets, at most one per family, IPv4 first. Never empty.
    public var subnets: [IPPrefix]
    /// Where other nodes send traffic for `subnets` (the next hop of their host routes).
    public var nodeAddress: IPAddress
    public var domain: NetworkDomain
    /// When the node first took these subnets; kept across renewals.
    public var acquiredAt: Date
    public var renewedAt: Date
    /// After this instant the subnets may be given to another node.
    public var expiresAt: Date
    /// Store-assigned version of this record, compared in compare-and-swap writes. It grows
    /// with every write of the record; 0 means "never stored".
    public var revision: UInt64
    /// Small per-backend facts other nodes need, e.g. `bgp.router-id`. See `LeaseLimits`.
    public var backendData: [String: String]
    /// The machine holding the lease (its `/etc/machine-id`): a second machine using the same
    /// node name (a cloned image) is refused instead of sharing the subnet. Empty: unknown
    /// (records written before owners existed).
    public var owner: String

    public init(node: String, subnets: [IPPrefix], nodeAddress: IPAddress, domain: NetworkDomain,
                acquiredAt: Date, renewedAt: Date, expiresAt: Date, revision: UInt64 = 0,
                backendData: [String: String] = [:], owner: String = "") {
        self.node = node
        self.subnets = subnets.sorted()
        self.nodeAddress = nodeAddress
        self.domain = domain
        self.acquiredAt = acquiredAt.wholeMilliseconds
        self.renewedAt = renewedAt.wholeMilliseconds
        self.expiresAt = expiresAt.wholeMilliseconds
        self.revision = revision
        self.backendData = backendData
        self.owner = owner
    }

    /// The subnet of `family`, if the lease has one.
    public func subnet(of family: IPFamily) -> IPPrefix? {
        subnets.first { $0.family == family }
    }

    /// True once `now` has reached the expiry: the subnets are free for others to reclaim.
    public func isExpired(at now: Date) -> Bool {
        now >= expiresAt
    }

    /// The same lease held again for `ttl` from `now`.
    public func renewed(at now: Date, ttl: Duration) -> Lease {
        var copy = self
        copy.renewedAt = now.wholeMilliseconds
        copy.expiresAt = (now + ttl.timeInterval).wholeMilliseconds
        return copy
    }

    /// True when only the renewal times (and revision) differ: a watcher reports `renewed`.
    public func isRenewal(of other: Lease) -> Bool {
        node == other.node && subnets == other.subnets && nodeAddress == other.nodeAddress
            && domain == other.domain && backendData == other.backendData && acquiredAt == other.acquiredAt
            && owner == other.owner
    }
}

extension Date {
    /// Truncated to the millisecond, the precision of stored records.
    public var wholeMilliseconds: Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`, for date arithmetic.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
