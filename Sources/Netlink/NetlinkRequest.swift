import Glibc

/// One request of a batch: the message, how to describe it in an error, and which errnos
/// count as success (EEXIST when "ensuring", ENODEV when deleting idempotently).
public struct NetlinkRequest: Sendable {
    public var type: UInt16
    var kind: RequestKind
    public var payload: [UInt8]
    public var operation: String
    public var object: String
    public var tolerated: Set<Int32>
    /// errnos reported as `.notFound` rather than `.kernel`.
    var notFoundErrnos: Set<Int32> = [ENODEV, ESRCH, ENOENT]

    init(type: some BinaryInteger, kind: RequestKind, payload: [UInt8], operation: String, object: String,
         tolerated: Set<Int32> = []) {
        self.type = UInt16(type)
        self.kind = kind
        self.payload = payload
        self.operation = operation
        self.object = object
        self.tolerated = tolerated
    }

    /// The same request, with `errnos` treated as success.
    public func tolerating(_ errnos: Int32...) -> NetlinkRequest {
        var copy = self
        copy.tolerated.formUnion(errnos)
        return copy
    }

    func failure(_ acknowledgement: Acknowledgement) -> NetlinkError {
        let failure = KernelFailure(errno: acknowledgement.errno, operation: operation, object: object,
                                    extendedAck: acknowledgement.extendedAck)
        return notFoundErrnos.contains(acknowledgement.errno) ? .notFound(failure) : .kernel(failure)
    }
}
