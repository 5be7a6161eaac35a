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
            let status: Int
            let body: [UInt8]
            do {
                let response = try await transport.send(request, to: endpoint, timeout: 5)
                (status, body) = (response.status, response.body)
            } catch {
                try await backoff(&attempt, MetadataError.unreachable(path: path, reason: "\(error)"))
                continue
            }
            switch status {
            case 200: return String(decoding: body, as: UTF8.self)
            case 401:
                self.token = nil
                try await backoff(&attempt, MetadataError.status(path: path, status: status))
            case 429, 500...599: try await backoff(&attempt, MetadataError.status(path: path, status: status))
            default: throw MetadataError.status(path: path, status: status)
            }
        }
    }

    private func backoff(_ attempt: inout Int, _ error: MetadataError) async throws {
        guard attempt + 1 < retry.maxAttempts else { throw error }
        try await Task.sleep(for: .seconds(retry.delay(afterAttempt: attempt, using: &random)))
        attempt += 1
    }

    private func sessionToken() async throws -> String {
        if let token, token.renewAt > Date() { return token.value }
        var attempt = 0
        while true {
            let request = CloudHTTPRequest(method: "PUT", target: "/latest/api/token",
                                           headers: [("X-aliyun-ecs-metadata-token-ttl-seconds", String(tokenTTL))], body: [])
            do {
                let response = try await transport.send(request, to: endpoint, timeout: 5)
                if response.status == 200, !response.body.isEmpty {
                    let value = String(decoding: response.body, as: UTF8.self)
                    token = (value, Date().addingTimeInterval(Double(tokenTTL) / 2))
                    return value
                }
                guard response.status == 429 || response.status >= 500 else {
                    throw MetadataError.status(path: "api/token", status: response.status)
                }
                try await backoff(&attempt, MetadataError.status(path: "api/token", status: response.status))
            } catch let error as MetadataError {
                throw error
            } catch {
                try await backoff(&attempt, MetadataError.unreachable(path: "api/token", reason: "\(error)"))
            }
        }
    }
}

/// Why a metadata read failed.
public enum MetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreachable(path: String, reason: String)
    case status(path: String, status: Int)
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let path, let reason): "metadata \(path): unreachable: \(reason)"
        case .status(let path, let status): "metadata \(path): HTTP \(status)"
        case .malformed(let path, let reason): "metadata \(path): \(reason)"
        }
    }
}
