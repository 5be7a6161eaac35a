import HTTPClient
import NIOCore
import Synchronization

/// An etcd v3 client over the gRPC gateway's JSON API (`POST /v3/...`), as etcd 3.4 serves
/// it next to gRPC on the client port. Several endpoints: a request that fails on the
/// transport or TLS, times out, gets "unavailable" (no leader, leader changed), or an answer
/// that is not etcd's (a 404 from something else on the port, a malformed body) is retried
/// on the next endpoint with a growing pause, until `retryBudget` is spent.
///
/// Retried writes must be safe to repeat: the lease store only sends compare-and-swap
/// transactions, which a second delivery turns into a failed compare, never a double write.
public final class EtcdClient: Sendable {
    public struct Configuration: Sendable {
        public var endpoints: [HTTPEndpoint]
        public var connectTimeout: Double = 1
        /// A write sent to a follower while the leader dies hangs until etcd gives up (about 7 s);
        /// giving up sooner and retrying elsewhere is what makes fail-over quick.
        public var requestTimeout: Double = 3
        public var retryBudget: Double = 20
        /// A watch stream silent this long is checked: the member must answer a request with
        /// a leader, or the watch moves to another member.
        public var watchHeartbeat: Double = 10
        /// For https endpoints: the CA of etcd's certificates and the client's own
        /// (etcd `--client-cert-auth`). nil: the system's trust roots.
        public var tls: TLSOptions?

        public init(endpoints: [HTTPEndpoint], tls: TLSOptions? = nil) {
            self.endpoints = endpoints
            self.tls = tls
        }
    }

    public let configuration: Configuration
    /// The endpoint tried first: the last one that answered.
    private let preferred = Mutex(0)
    private let connections: HTTPConnectionCache

    public init(_ configuration: Configuration) throws(EtcdError) {
        guard !configuration.endpoints.isEmpty else { throw .configuration("no endpoints") }
        self.configuration = configuration
        do {
            connections = HTTPConnectionCache(connectTimeout: configuration.connectTimeout, tls: try configuration.tls?.makeContext())
        } catch {
            throw .configuration(error.description)
        }
    }

    /// Closes the cached connections; later requests open new ones.
    public func close() async {
        await connections.closeAll()
    }

    // MARK: KV

    public func range(_ request: EtcdRangeRequest) async throws -> EtcdRangeResponse {
        try await call("/v3/kv/range", request.json) { json throws(EtcdError) in try EtcdRangeResponse(json: json) }
    }

    /// Every key under `prefix` at one revision (the current one unless given), fetched in
    /// pages of `pageSize`.
    public func rangeAll(prefix: [UInt8], revision: Int64 = 0, pageSize: Int64 = 500) async throws -> (EtcdResponseHeader, [EtcdKeyValue]) {
        var request = EtcdRangeRequest(prefix: prefix, limit: pageSize, revision: revision)
        var first = try await range(request)
        var kvs = first.kvs
        var page = first
        while page.more, let last = page.kvs.last {
            request.key = last.key + [0]
            request.revision = first.header.revision
            page = try await range(request)
            kvs += page.kvs
        }
        first.kvs = kvs
        return (first.header, kvs)
    }

    public func put(key: [UInt8], value: [UInt8], lease: Int64 = 0) async throws -> EtcdResponseHeader {
        try await call("/v3/kv/put", putJSON(key: key, value: value, lease: lease)) { json throws(EtcdError) in
            try EtcdResponseHeader(json: json.child("header"))
        }
    }

    public func delete(key: [UInt8]) async throws -> Int64 {
        try await call("/v3/kv/deleterange", ["key": EtcdJSON.base64(key)]) { json throws(EtcdError) in
            try json.int64("deleted")
        }
    }

    public func txn(_ request: EtcdTxnRequest) async throws -> EtcdTxnResponse {
        try await call("/v3/kv/txn", request.json) { json throws(EtcdError) in try EtcdTxnResponse(json: json) }
    }

    /// Discards the history before `revision`; watches from older revisions are cancelled.
    public func compact(revision: Int64) async throws {
        _ = try await call("/v3/kv/compaction", ["revision": String(revision)]) { _ throws(EtcdError) in () }
    }

    // MARK: Leases

    public func grantLease(ttl: Int64) async throws -> EtcdLeaseGrant {
        try await call("/v3/lease/grant", EtcdLeaseGrant.request(ttl: ttl)) { json throws(EtcdError) in
            try EtcdLeaseGrant(json: json)
        }
    }

    /// Renews a lease once; the answer's TTL is 0 when the lease is gone.
    public func keepAlive(lease: Int64) async throws -> EtcdLeaseKeepAlive {
        try await call("/v3/lease/keepalive", EtcdLeaseKeepAlive.request(id: lease)) { json throws(EtcdError) in
            try EtcdLeaseKeepAlive(json: json)
        }
    }

    /// Revokes a lease and deletes every key attached to it. A lease already gone is fine.
    public func revokeLease(_ lease: Int64) async throws {
        do {
            _ = try await call("/v3/lease/revoke", ["ID": String(lease)]) { _ throws(EtcdError) in () }
        } catch EtcdError.server(let code, _, _) where code == 5 /* NotFound */ {
            return
        }
    }

    // MARK: Watch

    /// Opens a watch on every key under `create.key`'s range, on the first endpoint that
    /// answers. The caller re-opens it (from the last revision seen) when it ends.
    public func watch(_ create: EtcdWatchCreate) async throws -> EtcdWatchStream {
        let body = EtcdJSON.encode(create.json)
        return try await withFailover { endpoint in
            // Require a leader: a member cut off from the others ends the watch instead of going quiet.
            let stream = try await HTTPStream.open(
                HTTPRequest(method: "POST", path: "/v3/watch", headers: Self.headers, body: body),
                to: endpoint, tls: self.connections.tls, group: self.connections.group,
                timeout: .milliseconds(Int64(self.configuration.requestTimeout * 1000)),
                idleTimeout: .milliseconds(Int64(self.configuration.watchHeartbeat * 1000)))
            guard stream.status == 200 else {
                let error = EtcdError.decode(status: stream.status, body: try await stream.readAll())
                stream.close()
                throw error
            }
            return EtcdWatchStream(stream: stream) { line in try EtcdWatchResponse(line: line) }
        }
    }

    /// Asks `endpoint` alone, with a leader required, whether it is alive and part of a
    /// cluster: the heartbeat of a quiet watch. Throws when it is not.
    public func probe(_ endpoint: HTTPEndpoint, key: [UInt8]) async throws {
        let request = HTTPRequest(method: "POST", path: "/v3/kv/range", headers: Self.headers,
                                  body: EtcdJSON.encode(EtcdRangeRequest(key: key, countOnly: true).json))
        let response = try await connections.send(request, to: endpoint, timeout: configuration.requestTimeout)
        guard response.status == 200 else { throw EtcdError.decode(status: response.status, body: response.body) }
    }

    /// Moves the next request off `endpoint` (a watch found it silent or failing).
    public func avoid(_ endpoint: HTTPEndpoint) {
        guard let index = configuration.endpoints.firstIndex(of: endpoint) else { return }
        preferred.withLock { preferred in
            if preferred == index { preferred = (index + 1) % configuration.endpoints.count }
        }
    }

    // MARK: Transport

    /// JSON, and gRPC metadata `hasleader`: a member without a leader refuses at once.
    static let headers = [("Content-Type", "application/json"), ("Grpc-Metadata-hasleader", "true")]

    private func call<Result: Sendable>(_ path: String, _ body: [String: Any],
                                        decode: @escaping (EtcdJSON) throws(EtcdError) -> Result) async throws -> Result {
        let request = HTTPRequest(method: "POST", path: path, headers: Self.headers, body: EtcdJSON.encode(body))
        return try await withFailover { endpoint in
            let response = try await self.connections.send(request, to: endpoint, timeout: self.configuration.requestTimeout)
            guard response.status == 200 else { throw EtcdError.decode(status: response.status, body: response.body) }
            return try decode(EtcdJSON(parsing: response.body, context: path))
        }
    }

    /// Runs `attempt` against the preferred endpoint; on a transport failure, a retryable
    /// etcd error or a wrong answer moves to the next endpoint, pausing 50 ms, 100 ms, ... 1 s
    /// once every endpoint has failed in a row. When every endpoint has answered wrongly
    /// (TLS refused, not etcd), or on other errors, it throws at once.
    private func withFailover<Result>(_ attempt: (HTTPEndpoint) async throws -> Result) async throws -> Result {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(configuration.retryBudget * 1000))
        var failures: [String] = []
        var faulty = Set<Int>()
        var round = 0
        while true {
            let index = preferred.withLock { $0 }
            let endpoint = configuration.endpoints[index]
            do {
                return try await attempt(endpoint)
            } catch let error as HTTPClientError where error.isTransport || error.isEndpointFault {
                failures.append(error.description)
                if error.isEndpointFault { faulty.insert(index) }
            } catch let error as EtcdError where error.isRetryable || error.isEndpointFault {
                failures.append("\(endpoint): \(error)")
                if error.isEndpointFault { faulty.insert(index) }
            }
            // Every member answered wrongly (TLS, not etcd): waiting will not help.
            guard faulty.count < configuration.endpoints.count else {
                throw EtcdError.unavailable(Array(failures.suffix(configuration.endpoints.count)))
            }
            preferred.withLock { preferred in
                if preferred == index { preferred = (index + 1) % configuration.endpoints.count }
            }
            try Task.checkCancellation()
            guard clock.now < deadline else {
                throw EtcdError.unavailable(Array(failures.suffix(configuration.endpoints.count)))
            }
            if failures.count % configuration.endpoints.count == 0 {
                round += 1
                try await Task.sleep(for: .milliseconds(min(50 << min(round - 1, 5), 1000)))
            }
        }
    }
}

/// The responses of one watch, in order.
public typealias EtcdWatchStream = DecodedLineStream<EtcdWatchResponse>
