/// Requests and answers of etcd's KV service (`/v3/kv/...`), encoded as the gateway wants.
public struct EtcdRangeRequest: Sendable, Equatable {
    public var key: [UInt8]
    public var rangeEnd: [UInt8]
    public var limit: Int64
    public var revision: Int64
    /// Only the number of keys, no keys or values.
    public var countOnly: Bool

    public init(key: [UInt8], rangeEnd: [UInt8] = [], limit: Int64 = 0, revision: Int64 = 0, countOnly: Bool = false) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.limit = limit
        self.revision = revision
        self.countOnly = countOnly
    }

    /// Every key under `prefix`.
    public init(prefix: [UInt8], limit: Int64 = 0, revision: Int64 = 0) {
        self.init(key: prefix, rangeEnd: prefix.prefixRangeEnd, limit: limit, revision: revision)
    }

    var json: [String: Any] {
        var object: [String: Any] = ["key": EtcdJSON.base64(key)]
        if !rangeEnd.isEmpty { object["range_end"] = EtcdJSON.base64(rangeEnd) }
        if limit > 0 { object["limit"] = String(limit) }
        if revision > 0 { object["revision"] = String(revision) }
        if countOnly { object["count_only"] = true }
        return object
    }
}

public struct EtcdRangeResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var kvs: [EtcdKeyValue]
    public var more: Bool
    public var count: Int64

    init(json: EtcdJSON) throws(EtcdError) {
        header = try EtcdResponseHeader(json: json.child("header"))
        var kvs: [EtcdKeyValue] = []
        for kv in try json.children("kvs") { kvs.append(try EtcdKeyValue(json: kv)) }
        self.kvs = kvs
        more = try json.bool("more")
        count = try json.int64("count")
    }
}

/// A condition of a transaction: the key's create revision, mod revision or value.
public enum EtcdCompare: Sendable, Equatable {
    /// `createRevision == 0` means "the key does not exist".
    case createRevision(key: [UInt8], equals: Int64)
    case modRevision(key: [UInt8], equals: Int64)
    case value(key: [UInt8], equals: [UInt8])
    /// No key in `[key, rangeEnd)` exists (etcd compares each key of the range; none: true).
    case noKeys(from: [UInt8], to: [UInt8])

    var json: [String: Any] {
        switch self {
        case .createRevision(let key, let revision):
            ["key": EtcdJSON.base64(key), "target": "CREATE", "result": "EQUAL", "create_revision": String(revision)]
        case .modRevision(let key, let revision):
            ["key": EtcdJSON.base64(key), "target": "MOD", "result": "EQUAL", "mod_revision": String(revision)]
        case .value(let key, let value):
            ["key": EtcdJSON.base64(key), "target": "VALUE", "result": "EQUAL", "value": EtcdJSON.base64(value)]
        case .noKeys(let key, let rangeEnd):
            ["key": EtcdJSON.base64(key), "range_end": EtcdJSON.base64(rangeEnd), "target": "CREATE", "result": "EQUAL",
             "create_revision": "0"]
        }
    }
}

/// One operation of a transaction branch.
public enum EtcdOperation: Sendable, Equatable {
    case range(EtcdRangeRequest)
    case put(key: [UInt8], value: [UInt8], lease: Int64)
    case delete(key: [UInt8])

    var json: [String: Any] {
        switch self {
        case .range(let request): ["request_range": request.json]
        case .put(let key, let value, let lease):
            ["request_put": putJSON(key: key, value: value, lease: lease)]
        case .delete(let key): ["request_delete_range": ["key": EtcdJSON.base64(key)]]
        }
    }
}

func putJSON(key: [UInt8], value: [UInt8], lease: Int64) -> [String: Any] {
    var object: [String: Any] = ["key": EtcdJSON.base64(key), "value": EtcdJSON.base64(value)]
    if lease != 0 { object["lease"] = String(lease) }
    return object
}

public struct EtcdTxnRequest: Sendable, Equatable {
    public var compare: [EtcdCompare]
    public var success: [EtcdOperation]
    public var failure: [EtcdOperation]

    public init(compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation] = []) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }

    var json: [String: Any] {
        ["compare": compare.map(\.json), "success": success.map(\.json), "failure": failure.map(\.json)]
    }
}

/// The answer to one operation of the branch that ran.
public enum EtcdOperationResult: Sendable, Equatable {
    case range(EtcdRangeResponse)
    case put
    case delete(deleted: Int64)

    init(json: EtcdJSON) throws(EtcdError) {
        if let range = try json.child("response_range") {
            self = .range(try EtcdRangeResponse(json: range))
        } else if try json.child("response_put") != nil {
            self = .put
        } else if let delete = try json.child("response_delete_range") {
            self = .delete(deleted: try delete.int64("deleted"))
        } else {
            throw .malformed("\(json.context) is no known operation response")
        }
    }
}

public struct EtcdTxnResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var succeeded: Bool
    public var responses: [EtcdOperationResult]

    init(json: EtcdJSON) throws(EtcdError) {
        header = try EtcdResponseHeader(json: json.child("header"))
        succeeded = try json.bool("succeeded")
        var responses: [EtcdOperationResult] = []
        for response in try json.children("responses") { responses.append(try EtcdOperationResult(json: response)) }
        self.responses = responses
    }
}
