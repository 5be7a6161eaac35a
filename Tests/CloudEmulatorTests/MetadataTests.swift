import CloudAPI
import CloudENI
import HTTPClient
import Synchronization
import Testing
import TestSupport

/// The metadata client against the emulator's metadata service: token first, the
/// instance and its ENIs, changes shown only after the configured delay, a lost token
/// fetched again on 401, 429 and 5xx retried up to the cap and then named in the error.
@Suite struct MetadataTests {
    /// Sends one GET without its token, to make the service answer 401.
    final class TokenDroppingTransport: CloudTransport {
        let inner: HTTPConnectionCache
        let dropped = Mutex(false)
        init(inner: HTTPConnectionCache) { self.inner = inner }

        func send(_ request: CloudHTTPRequest, to endpoint: HTTPEndpoint, timeout: Double) async throws -> HTTPResponse {
            var request = request
            let drop = request.method == "GET" && dropped.withLock { done in defer { done = true }; return !done }
            if drop { request.headers.removeAll { $0.0 == "X-aliyun-ecs-metadata-token" } }
            return try await inner.send(request, to: endpoint, timeout: timeout)
        }
    }

    /// Answers what `answer(method, n)` gives for the n-th request (from 0) of a method, as an
    /// overloaded or broken metadata service would; everything else reaches the emulator.
    final class AnsweringTransport: CloudTransport {
        let inner: HTTPConnectionCache
        let answer: @Sendable (_ method: String, _ index: Int) -> HTTPResponse?
        let requests = Mutex<[String]>([])
        init(inner: HTTPConnectionCache, answer: @escaping @Sendable (_ method: String, _ index: Int) -> HTTPResponse?) {
            self.inner = inner
            self.answer = answer
        }

        func send(_ request: CloudHTTPRequest, to endpoint: HTTPEndpoint, timeout: Double) async throws -> HTTPResponse {
            let index = requests.withLock { sent in
                defer { sent.append(request.method) }
                return sent.filter { $0 == request.method }.count
            }
            if let response = answer(request.method, index) { return response }
            return try await inner.send(request, to: endpoint, timeout: timeout)
        }
    }

    static func refused(_ status: Int) -> HTTPResponse { HTTPResponse(status: status, body: Array("refused".utf8)) }

    /// A metadata client with a short backoff through `answer`, against the test world.
    static func client(_ harness: EmulatorHarness, _ http: HTTPConnectionCache, maxAttempts: Int,
                       answer: @escaping @Sendable (String, Int) -> HTTPResponse?) -> (MetadataClient, AnsweringTransport) {
        let transport = AnsweringTransport(inner: http, answer: answer)
        return (MetadataClient(endpoint: HTTPEndpoint(host: "127.0.0.1", port: harness.metadataPort), transport: transport,
                               retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.01, maxDelay: 0.05)), transport)
    }

    @Test func retriesThrottlingAndServerErrorsWithinTheCap() async throws {
        let harness = try await EmulatorHarness()
        let http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        defer { Task { await http.closeAll(); await harness.stop() } }
        // The token: 429 once. The read: 429, then 503, then the value (the third and last attempt).
        let (metadata, transport) = Self.client(harness, http, maxAttempts: 3) { method, index in
            switch (method, index) {
            case ("PUT", 0), ("GET", 0): Self.refused(429)
            case ("GET", 1): Self.refused(503)
            default: nil
            }
        }

        #expect(try await metadata.get("instance-id") == "i-cloud-1")
        #expect(transport.requests.withLock { $0 } == ["PUT", "PUT", "GET", "GET", "GET"])
    }

    @Test func givesUpNamingTheStatus() async throws {
        let harness = try await EmulatorHarness()
        let http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        defer { Task { await http.closeAll(); await harness.stop() } }
        let (metadata, transport) = Self.client(harness, http, maxAttempts: 4) { method, _ in method == "GET" ? Self.refused(503) : nil }

        let error = await #expect(throws: MetadataError.self) { try await metadata.get("instance-id") }
        #expect(error == .status(path: "instance-id", status: 503, attempts: 4))
        #expect(error?.description == "metadata instance-id: HTTP 503 (gave up after 4 attempts)")
        #expect(transport.requests.withLock { $0 } == ["PUT", "GET", "GET", "GET", "GET"], "one token, no read past the cap")
    }

    @Test func anEmptyTokenIsMalformedNotAStatus() async throws {
        let harness = try await EmulatorHarness()
        let http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        defer { Task { await http.closeAll(); await harness.stop() } }
        let (metadata, _) = Self.client(harness, http, maxAttempts: 3) { method, _ in
            method == "PUT" ? HTTPResponse(status: 200, body: []) : nil
        }

        let error = await #expect(throws: MetadataError.self) { try await metadata.get("instance-id") }
        #expect(error == .malformed(path: "api/token", reason: "an empty token"))
    }

    @Test func instanceAndDelayedChanges() async throws {
        let harness = try await EmulatorHarness(yaml: EmulatorHarness.testWorld(delays: "{ attach: 0.1, detach: 0.1, metadata: 0.6 }"))
        let http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        let metadata = MetadataClient(endpoint: HTTPEndpoint(host: "127.0.0.1", port: harness.metadataPort),
                                      transport: TokenDroppingTransport(inner: http))
        let c = ClientHarness(harness)
        defer { Task { await c.close(); await http.closeAll(); await harness.stop() } }

        let before = try await metadata.instance()
        #expect(before.instanceId == "i-cloud-1" && before.instanceType == "ecs.g6.large" && before.region == "cn-hangzhou")
        #expect(before.zone == "cn-hangzhou-h" && before.vSwitchId == "vsw-zone-h" && before.vpcId == "vpc-lab")
        #expect(before.interfaces.count == 1 && before.interfaces[0].mac == before.primaryMAC)
        #expect(before.interfaces[0].primaryIP == "192.168.0.11" && before.interfaces[0].privateIPv4s == ["192.168.0.11"])
        #expect(before.interfaces[0].gateway == "192.168.15.253" && before.interfaces[0].vSwitchCIDR == "192.168.0.0/20")

        let eni = try await c.client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
        try await c.client.attachNetworkInterface(eni.id, to: "i-cloud-1")
        _ = try await c.client.waitForNetworkInterface(eni.id, status: "InUse", interval: 0.02)
        #expect(try await metadata.instance().interfaces.count == 1, "the attachment shows late")
        try await Task.sleep(for: .milliseconds(700))
        let attached = try await metadata.eni(mac: eni.macAddress)
        #expect(attached.eniId == eni.id && attached.privateIPv4s == [eni.primaryIP])
        let ips = try await c.client.assignPrivateIpAddresses(eni.id, count: 2)
        #expect(try await metadata.eni(mac: eni.macAddress).privateIPv4s == [eni.primaryIP])
        try await Task.sleep(for: .milliseconds(700))
        #expect(try await metadata.eni(mac: eni.macAddress).privateIPv4s == [eni.primaryIP] + ips)
    }
}
