import CloudAPI
import CloudENI
import HTTPClient
import Synchronization
import Testing
import TestSupport

/// The metadata client against the emulator's metadata service: token first, the
/// instance and its ENIs, changes shown only after the configured delay, a lost token
/// fetched again on 401.
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
