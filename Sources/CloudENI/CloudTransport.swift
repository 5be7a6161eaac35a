import CloudAPI
import HTTPClient

/// Where signed requests go: the project's HTTP client, or in tests a wrapper around it
/// (damaging answers, counting calls).
public protocol CloudTransport: Sendable {
    func send(_ request: CloudHTTPRequest, to endpoint: HTTPEndpoint, timeout: Double) async throws -> HTTPResponse
}

extension HTTPConnectionCache: CloudTransport {
    /// The connection adds `Host` (the signed value is the same `host:port`).
    public func send(_ request: CloudHTTPRequest, to endpoint: HTTPEndpoint, timeout: Double) async throws -> HTTPResponse {
        try await send(HTTPRequest(method: request.method, path: request.target,
                                   headers: request.headers.filter { $0.0 != "host" }, body: request.body),
                       to: endpoint, timeout: timeout)
    }
}
