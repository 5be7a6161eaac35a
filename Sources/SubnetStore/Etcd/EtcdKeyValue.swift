/// The header etcd puts on every answer: the store revision it answered at.
public struct EtcdResponseHeader: Sendable, Equatable {
    public var revision: Int64
    public var memberID: String
    public var raftTerm: Int64

    init(json: EtcdJSON?) throws(EtcdError) {
        revision = try json?.int64("revision") ?? 0
        memberID = json?.id("member_id") ?? "0"
        raftTerm = try json?.int64("raft_term") ?? 0
    }

    public init(revision: Int64, memberID: String = "0", raftTerm: Int64 = 0) {
        self.revision = revision
        self.memberID = memberID
        self.raftTerm = raftTerm
    }
}

/// One key as etcd stores it, with the revisions compare-and-swap works on.
public struct EtcdKeyValue: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]
    public var createRevision: Int64
    public var modRevision: Int64
    public var version: Int64
    public var lease: Int64

    public init(key: [UInt8], value: [UInt8], createRevision: Int64 = 0, modRevision: Int64 = 0,
                version: Int64 = 0, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    init(json: EtcdJSON) throws(EtcdError) {
        key = try json.bytes("key")
        value = try json.bytes("value")
        createRevision = try json.int64("create_revision")
        modRevision = try json.int64("mod_revision")
        version = try json.int64("version")
        lease = try json.int64("lease")
        guard !key.isEmpty else { throw .malformed("\(json.context) has no key") }
    }

    public var keyString: String { String(decoding: key, as: UTF8.self) }
}

extension Array where Element == UInt8 {
    /// The end of the key range that holds every key starting with these bytes (etcd's
    /// `--prefix`): the prefix with its last byte below 0xff incremented.
    public var prefixRangeEnd: [UInt8] {
        var end = self
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0] // every key
    }
}
