import HTTPClient

/// What went wrong talking to etcd. `server` carries the gRPC code and message etcd's
/// gateway returned; `unavailable` lists what each endpoint said when none could answer.
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    case server(code: Int, message: String, httpStatus: Int)
    case malformed(String)
    case unavailable([String])
    case compacted(revision: Int64)
    case configuration(String)

    /// gRPC codes etcd uses for conditions that pass: no leader, leader changed, timeouts.
    static let retryableCodes: Set<Int> = [4 /* DeadlineExceeded */, 10 /* Aborted */, 14 /* Unavailable */]

    /// True when the same request may succeed on another endpoint or a little later.
    public var isRetryable: Bool {
        guard case .server(let code, let message, let status) = self else { return false }
        return Self.retryableCodes.contains(code) || status >= 500 && code == 0
            || message.contains("leader changed") || message.contains("no leader")
    }

    /// True when the answer is not etcd's at all (HTTP 404 or another status without a gRPC
    /// error body, a malformed body): something else answers on that endpoint, or this member
    /// is broken. Another member may serve the request.
    public var isEndpointFault: Bool {
        switch self {
        case .malformed: true
        case .server(let code, _, let status): code == 0 && status != 200
        case .unavailable, .compacted, .configuration: false
        }
    }

    public var description: String {
        switch self {
        case .server(let code, let message, let status): "etcd answered HTTP \(status), code \(code): \(message)"
        case .malformed(let what): "etcd sent a malformed answer: \(what)"
        case .unavailable(let failures): "no etcd endpoint answered: \(failures.joined(separator: "; "))"
        case .compacted(let revision): "etcd compacted the history past revision \(revision)"
        case .configuration(let what): "etcd configuration: \(what)"
        }
    }
}

extension HTTPClientError {
    /// A TLS failure or an oversized answer from one member: the next member may be fine
    /// (certificates are rotated member by member; a wrong service may sit on one address).
    var isEndpointFault: Bool {
        switch self {
        case .tls, .responseTooLarge: true
        default: false
        }
    }
}
