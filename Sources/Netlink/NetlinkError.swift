import Glibc

/// Why a netlink operation failed. `notFound` and `dumpInterrupted` are their own cases
/// so callers can match them (DEL treats a missing link as done; a dump is retried).
public enum NetlinkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kernel said the object does not exist (ENODEV, ESRCH, ENOENT, EADDRNOTAVAIL on delete).
    case notFound(KernelFailure)
    /// Any other refusal by the kernel.
    case kernel(KernelFailure)
    /// The dumped table changed while it was being read (NLM_F_DUMP_INTR); read it again.
    case dumpInterrupted(operation: String)
    /// The reply did not parse.
    case malformedReply(operation: String, reason: String)
    /// socket/bind/send/recv/setns/open failed.
    case system(call: String, errno: Int32)

    /// The errno behind the failure, if there is one.
    public var errno: Int32? {
        switch self {
        case .notFound(let failure), .kernel(let failure): failure.errno
        case .system(_, let errno): errno
        case .dumpInterrupted, .malformedReply: nil
        }
    }

    public var isNotFound: Bool {
        if case .notFound = self { true } else { false }
    }

    /// The object already exists (EEXIST).
    public var isExists: Bool { errno == EEXIST }

    public var description: String {
        switch self {
        case .notFound(let failure), .kernel(let failure): failure.description
        case .dumpInterrupted(let operation): "\(operation): dump interrupted by a concurrent change"
        case .malformedReply(let operation, let reason): "\(operation): malformed netlink reply: \(reason)"
        case .system(let call, let errno): "\(call): \(systemErrorText(errno))"
        }
    }
}

/// What the kernel refused: errno, the verb (`addRoute`), the object in iproute2 words
/// (`10.1.0.0/24 via 10.9.9.9 table 254`) and the extended ack text, if any.
public struct KernelFailure: Hashable, Sendable, CustomStringConvertible {
    public let errno: Int32
    public let operation: String
    public let object: String
    public let extendedAck: String?

    public init(errno: Int32, operation: String, object: String, extendedAck: String?) {
        self.errno = errno
        self.operation = operation
        self.object = object
        self.extendedAck = extendedAck
    }

    public var description: String {
        let detail = extendedAck.map { " (\($0))" } ?? ""
        return "\(operation) \(object): \(systemErrorText(errno))\(detail)"
    }
}

/// `strerror` text with the errno number (`No such device (errno 19)`).
public func systemErrorText(_ errno: Int32) -> String {
    "\(String(cString: strerror(errno))) (errno \(errno))"
}
