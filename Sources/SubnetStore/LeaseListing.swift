import Formatting
import Foundation

/// How `terway-edge ipam leases` shows leases: an aligned table for people, JSON for scripts.
/// Pure functions of the leases and the current time.
public enum LeaseListing {
    public static func table(_ leases: [Lease], now: Date) -> String {
        let header = ["NODE", "SUBNETS", "NODE ADDRESS", "DOMAIN", "EXPIRES IN", "BACKEND DATA"]
        let rows = leases.map { lease in
            [lease.node, lease.subnets.map(\.description).joined(separator: ","), lease.nodeAddress.description,
             lease.domain.rawValue, expiresIn(lease, now: now),
             lease.backendData.isEmpty ? "-" : lease.backendData.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")]
        }
        return TextTable.render(header, rows)
    }

    /// One line per watch event: `added edge-1 10.0.1.0/24 via 192.168.10.5 (edge), expires in 59m59s`.
    public static func line(_ event: LeaseEvent, now: Date) -> String {
        let lease = event.lease
        return "\(event.kind) \(lease.node) \(lease.subnets.map(\.description).joined(separator: ",")) via \(lease.nodeAddress) (\(lease.domain)), expires in \(expiresIn(lease, now: now))"
    }

    /// `59m58s`, `2h0m`, `3d4h`, or `expired 12s ago`.
    public static func expiresIn(_ lease: Lease, now: Date) -> String {
        let remaining = lease.expiresAt.timeIntervalSince(now)
        let text = DurationText.format(seconds: Int(abs(remaining).rounded(.down)), .compact)
        return remaining > 0 ? text : "expired \(text) ago"
    }

    /// A JSON array, one object per lease, keys sorted; times in RFC 3339 like the records.
    public static func json(_ leases: [Lease], now: Date) -> String {
        let items = leases.map { lease in
            Item(node: lease.node, subnets: lease.subnets.map(\.description), nodeAddress: lease.nodeAddress.description,
                 domain: lease.domain.rawValue, acquiredAt: RecordTimestamp.format(lease.acquiredAt),
                 renewedAt: RecordTimestamp.format(lease.renewedAt), expiresAt: RecordTimestamp.format(lease.expiresAt),
                 expiresInSeconds: Int(lease.expiresAt.timeIntervalSince(now).rounded(.down)),
                 expired: lease.isExpired(at: now), revision: lease.revision, backendData: lease.backendData)
        }
        return StableJSON.encode(items)
    }

    private struct Item: Encodable {
        let node: String
        let subnets: [String]
        let nodeAddress: String
        let domain: String
        let acquiredAt: String
        let renewedAt: String
        let expiresAt: String
        let expiresInSeconds: Int
        let expired: Bool
        let revision: UInt64
        let backendData: [String: String]
    }
}
