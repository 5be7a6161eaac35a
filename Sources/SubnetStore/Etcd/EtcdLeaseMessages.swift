/// Answers of etcd's Lease service (`/v3/lease/...`). A lease with TTL 0 in a keep-alive
/// answer no longer exists.
public struct EtcdLeaseGrant: Sendable, Equatable {
    public var id: Int64
    public var ttl: Int64

    init(json: EtcdJSON) throws(EtcdError) {
        id = try json.int64("ID")
        ttl = try json.int64("TTL")
        guard id != 0, ttl > 0 else { throw .malformed("lease grant without ID or TTL") }
    }

    static func request(ttl: Int64) -> [String: Any] { ["TTL": String(ttl)] }
}

public struct EtcdLeaseKeepAlive: Sendable, Equatable {
    public var id: Int64
    public var ttl: Int64

    /// The gateway streams keep-alive answers: `{"result": {...}}` per line.
    init(json: EtcdJSON) throws(EtcdError) {
        let result = try json.streamResult()
        id = try result.int64("ID")
        ttl = try result.int64("TTL")
    }

    static func request(id: Int64) -> [String: Any] { ["ID": String(id)] }
}
