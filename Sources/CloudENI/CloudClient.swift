import CloudAPI
import Foundation
import JSON

/// The Alibaba Cloud ECS/VPC client: signs each attempt afresh (new nonce and timestamp),
/// paces each action with a token bucket, retries throttling, overload, the service's
/// internal errors, transport failures and malformed answers with capped, jittered
/// exponential backoff, keeping one `ClientToken` across the retries of a mutation.
/// `Forbidden.RAM` and every other refusal stop at once. Secrets never reach the log or
/// an error: messages the service echoes are scrubbed of them.
public actor CloudClient {
    public nonisolated let config: CloudClientConfig
    let transport: any CloudTransport
    let credentials: any CredentialProvider
    let log: @Sendable (String) -> Void
    private var buckets: [String: TokenBucket] = [:]
    private var random = SystemRandomNumberGenerator()
    public private(set) var statistics = Statistics()

    /// What the client did, for tests and metrics.
    public struct Statistics: Sendable, Hashable {
        public var calls = 0
        public var attempts = 0
        public var retries = 0
        public var throttled = 0
        /// The longest single backoff slept.
        public var longestBackoff: Double = 0
        /// Calls and throttled attempts per action.
        public var actions: [String: ActionCount] = [:]
    }

    public struct ActionCount: Sendable, Hashable {
        public var calls = 0
        public var throttled = 0
        public init() {}
    }

    public init(config: CloudClientConfig, transport: any CloudTransport, credentials: any CredentialProvider,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.config = config
        self.transport = transport
        self.credentials = credentials
        self.log = log
    }

    /// One call with retries; the answer's JSON object.
    public func call(_ original: CloudRequest) async throws -> JSONObject {
        var request = original
        if request.takesClientToken, request.parameters["ClientToken"] == nil {
            request.parameters["ClientToken"] = UUID().uuidString.lowercased()
        }
        statistics.calls += 1
        statistics.actions[request.action, default: ActionCount()].calls += 1
        let endpoint = config.endpoint(for: request.service)
        var attempt = 0
        while true {
            try await pace(request.action)
            statistics.attempts += 1
            let keys = try await credentials.credentials()
            let signed = request.signed(style: config.signature, credentials: keys, host: "\(endpoint.host):\(endpoint.port)",
                                        nonce: UUID().uuidString.lowercased(),
                                        timestamp: ACSTimestamp.format(secondsSince1970: Int64(Date().timeIntervalSince1970)))
            let failure: any Error
            do {
                let response = try await transport.send(signed, to: endpoint, timeout: config.timeout)
                return try CloudResponse.decode(action: request.action, service: request.service, status: response.status, body: response.body)
            } catch let error as CloudAPIError {
                let clean = Self.scrub(error, keys)
                guard clean.isRetryable else { throw clean }
                if clean.code.hasPrefix("Throttling") {
                    statistics.throttled += 1
                    statistics.actions[request.action, default: ActionCount()].throttled += 1
                }
                failure = clean
            } catch let error as CloudResponseError {
                failure = error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = CloudTransportError(action: request.action, endpoint: "\(endpoint)", reason: Self.scrub("\(error)", keys))
            }
            attempt += 1
            guard attempt < config.retry.maxAttempts else {
                log("\(request.action): giving up after \(attempt) attempts: \(failure)")
                throw failure
            }
            let wait = config.retry.delay(afterAttempt: attempt - 1, using: &random)
            statistics.retries += 1
            statistics.longestBackoff = max(statistics.longestBackoff, wait)
            log("\(request.action): attempt \(attempt) failed (\(failure)); retrying in \(Int(wait * 1000)) ms")
            try await Task.sleep(for: .seconds(wait))
        }
    }

    /// Waits for the action's token bucket.
    private func pace(_ action: String) async throws {
        let rate = config.ratePerAction[action] ?? config.defaultRate
        var bucket = buckets[action] ?? TokenBucket(rate: rate, burst: max(1, rate))
        let wait = bucket.reserve(now: Date().timeIntervalSince1970)
        buckets[action] = bucket
        if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
    }

    /// The service may echo what it signed (`SignatureDoesNotMatch` quotes the string to
    /// sign, which holds the security token): remove every secret, plain or encoded.
    static func scrub(_ text: String, _ keys: CloudCredentials) -> String {
        var out = text
        for secret in [keys.accessKeySecret, keys.securityToken].compactMap({ $0 }) where !secret.isEmpty {
            for form in [secret, acsPercentEncode(secret), acsPercentEncode(acsPercentEncode(secret))] {
                out = out.replacingOccurrences(of: form, with: "<redacted>")
            }
        }
        return out
    }

    static func scrub(_ error: CloudAPIError, _ keys: CloudCredentials) -> CloudAPIError {
        CloudAPIError(code: error.code, message: scrub(error.message, keys), requestId: error.requestId,
                      httpStatus: error.httpStatus, action: error.action, product: error.product)
    }
}

/// The service could not be reached (connect, timeout, connection closed).
public struct CloudTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public let action: String
    public let endpoint: String
    public let reason: String
    public var description: String { "\(action): \(endpoint) unreachable: \(reason)" }
}
