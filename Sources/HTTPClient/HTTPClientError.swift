import NIOSSL

/// Why an HTTP exchange with a store's server failed. Transport failures (`connect`,
/// `timeout`, `closed`) are what endpoint fail-over reacts to.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case badEndpoint(String)
    case unsupported(String)
    case connect(endpoint: String, reason: String)
    case timeout(endpoint: String, seconds: Double)
    case closed(endpoint: String)
    case responseTooLarge(endpoint: String, limit: Int)
    /// The TLS handshake failed (certificate not trusted, name mismatch, no client
    /// certificate): a setup problem another attempt does not fix.
    case tls(endpoint: String, reason: String)

    /// True when another endpoint (or a later attempt) may succeed.
    public var isTransport: Bool {
        switch self {
        case .connect, .timeout, .closed: true
        case .badEndpoint, .unsupported, .responseTooLarge, .tls: false
        }
    }

    public var description: String {
        switch self {
        case .badEndpoint(let text): "bad endpoint '\(text)': expected http://host:port"
        case .unsupported(let what): what
        case .connect(let endpoint, let reason): "cannot connect to \(endpoint): \(reason)"
        case .timeout(let endpoint, let seconds): "\(endpoint) did not answer within \(seconds)s"
        case .closed(let endpoint): "\(endpoint) closed the connection"
        case .responseTooLarge(let endpoint, let limit): "\(endpoint) sent a response larger than \(limit) bytes"
        case .tls(let endpoint, let reason): "TLS with \(endpoint) failed: \(reason)"
        }
    }
}

extension HTTPClientError {
    /// What a channel error means for the requests on it: TLS failures are their own case.
    static func channelError(_ error: any Error, endpoint: HTTPEndpoint) -> HTTPClientError {
        switch error {
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError: .tls(endpoint: endpoint.description, reason: "\(error)")
        default: .closed(endpoint: "\(endpoint) (\(error))")
        }
    }
}
