import CloudAPI
import Foundation
import HTTPClient

/// The instance metadata service (`100.100.100.200`, or an override): a session token
/// first (`PUT /latest/api/token`), kept for half its TTL and fetched again on 401;
/// retries on 429 and 5xx.
public actor MetadataClient {
    public static let defaultEndpoint = HTTPEndpoint(host: "100.100.100.200", port: 80)
    let endpoint: HTTPEndpoint
    let transport: any CloudTransport
    let tokenTTL: Int
    let retry: RetryPolicy
    private var token: (value: String, renewAt: Date)?
    private var random = SystemRandomNumberGenerator()

    public init(endpoint: HTTPEndpoint = MetadataClient.defaultEndpoint, transport: any CloudTransport,
                tokenTTL: Int = 21600, retry: RetryPolicy = RetryPolicy(maxAttempts: 5)) {
        self.endpoint = endpoint
        self.transport = transport
        self.tokenTTL = tokenTTL
        self.retry = retry
    }

    /// The text at `/latest/meta-data/<path>`.
    public func get(_ path: String) async throws -> String {
        var attempt = 0
        while true {
            let token = try await sessionToken()
            let request = CloudHTTPRequest(method: "GET", target: "/latest/meta-data/\(path)",
                                           headers: [("X-aliyun-ecs-metadata-token", token)], body: [])
            let response: HTTPResponse
            do {
                response = try await transport.send(request, to: endpoint, timeout: 5)
            } catch {
                try await backoff(&attempt, .unreachable(path: path, reason: "\(error)", attempts: attempt + 1))
                continue
            }
            let failure = MetadataError.status(path: path, status: response.status, attempts: attempt + 1)
            switch response.status {
            case 200: return String(decoding: response.body, as: UTF8.self)
            case 401:
                self.token = nil
                try await backoff(&attempt, failure)
            case 429, 500...599: try await backoff(&attempt, failure)
            default: throw failure
            }
        }
    }

    /// Waits before the next attempt, or throws `error` when `retry.maxAttempts` are spent.
    private func backoff(_ attempt: inout Int, _ error: MetadataError) async throws {
        guard attempt + 1 < retry.maxAttempts else { throw error }
        try await Task.sleep(for: .seconds(retry.delay(afterAttempt: attempt, using: &random)))
        attempt += 1
    }

    private func sessionToken() async throws -> String {
        if let token, token.renewAt > Date() { return token.value }
        let path = "api/token"
        var attempt = 0
        while true {
            let request = CloudHTTPRequest(method: "PUT", target: "/latest/api/token",
                                           headers: [("X-aliyun-ecs-metadata-token-ttl-seconds", String(tokenTTL))], body: [])
            let response: HTTPResponse
            do {
                response = try await transport.send(request, to: endpoint, timeout: 5)
            } catch {
                try await backoff(&attempt, .unreachable(path: path, reason: "\(error)", attempts: attempt + 1))
                continue
            }
            let failure = MetadataError.status(path: path, status: response.status, attempts: attempt + 1)
            switch response.status {
            case 200:
                guard !response.body.isEmpty else { throw MetadataError.malformed(path: path, reason: "an empty token") }
                let value = String(decoding: response.body, as: UTF8.self)
                token = (value, Date().addingTimeInterval(Double(tokenTTL) / 2))
                return value
            case 429, 500...599: try await backoff(&attempt, failure)
            default: throw failure
            }
        }
    }
}

/// Why a metadata read failed; `attempts` counts the requests made before giving up.
public enum MetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreachable(path: String, reason: String, attempts: Int)
    case status(path: String, status: Int, attempts: Int)
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let path, let reason, let attempts): "metadata \(path): unreachable\(Self.gaveUp(attempts)): \(reason)"
        case .status(let path, let status, let attempts): "metadata \(path): HTTP \(status)\(Self.gaveUp(attempts))"
        case .malformed(let path, let reason): "metadata \(path): \(reason)"
        }
    }

    private static func gaveUp(_ attempts: Int) -> String {
        attempts > 1 ? " (gave up after \(attempts) attempts)" : ""
    }
}
