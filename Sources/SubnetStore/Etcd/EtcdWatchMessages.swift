/// Watch requests and the responses etcd's gateway streams for them, one JSON per line.
public struct EtcdWatchCreate: Sendable, Equatable {
    public var key: [UInt8]
    public var rangeEnd: [UInt8]
    public var startRevision: Int64
    public var prevKV: Bool
    public var progressNotify: Bool

    public init(prefix: [UInt8], startRevision: Int64, prevKV: Bool = true, progressNotify: Bool = true) {
        key = prefix
        rangeEnd = prefix.prefixRangeEnd
        self.startRevision = startRevision
        self.prevKV = prevKV
        self.progressNotify = progressNotify
    }

    var json: [String: Any] {
        var create: [String: Any] = ["key": EtcdJSON.base64(key), "range_end": EtcdJSON.base64(rangeEnd)]
        if startRevision > 0 { create["start_revision"] = String(startRevision) }
        if prevKV { create["prev_kv"] = true }
        if progressNotify { create["progress_notify"] = true }
        return ["create_request": create]
    }
}

public struct EtcdEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case put, delete }
    public var kind: Kind
    public var kv: EtcdKeyValue
    public var prevKV: EtcdKeyValue?

    init(json: EtcdJSON) throws(EtcdError) {
        switch try json.string("type") {
        case "", "PUT": kind = .put
        case "DELETE": kind = .delete
        case let other: throw .malformed("\(json.context).type is unknown: \(other)")
        }
        guard let kv = try json.child("kv") else { throw .malformed("\(json.context) has no kv") }
        self.kv = try EtcdKeyValue(json: kv)
        prevKV = try json.child("prev_kv").map { (prev) throws(EtcdError) in try EtcdKeyValue(json: prev) }
    }
}

public struct EtcdWatchResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var created: Bool
    public var canceled: Bool
    public var compactRevision: Int64
    public var cancelReason: String
    public var events: [EtcdEvent]

    /// Decodes one line of the stream: `{"result": {...}}` or `{"error": {...}}`.
    init(line: [UInt8]) throws(EtcdError) {
        let result = try EtcdJSON(parsing: line, context: "watch").streamResult()
        header = try EtcdResponseHeader(json: result.child("header"))
        created = try result.bool("created")
        canceled = try result.bool("canceled")
        compactRevision = try result.int64("compact_revision")
        cancelReason = try result.string("cancel_reason")
        var events: [EtcdEvent] = []
        for event in try result.children("events") { events.append(try EtcdEvent(json: event)) }
        self.events = events
    }
}
