import CloudAPI
import CloudENI
import HTTPClient
import Synchronization
import Testing
import TestSupport

/// The emulator's real answers, damaged with a seeded generator before the client reads
/// them: every call ends in a value or a typed error, never a trap.
@Suite struct DamagedAnswerTests {
    /// Passes requests on and damages what comes back (1 to 4 edits, JSON's syntax bytes).
    final class DamagingTransport: CloudTransport {
        let inner: HTTPConnectionCache
        let generator: Mutex<SeededGenerator>
        static let alphabet = Array("{}[]\":,0123456789.-eE truefalsnul\\".utf8)

        init(inner: HTTPConnectionCache, seed: UInt64) {
            self.inner = inner
            generator = Mutex(SeededGenerator(seed: seed))
        }

        func send(_ request: CloudHTTPRequest, to endpoint: HTTPEndpoint, timeout: Double) async throws -> HTTPResponse {
            let response = try await inner.send(request, to: endpoint, timeout: timeout)
            let body = generator.withLock { generator in
                damaged(response.body, edits: Int.random(in: 1...4, using: &generator), alphabet: Self.alphabet, using: &generator)
            }
            return HTTPResponse(status: response.status, body: body)
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func damagedAnswersNeverCrashTheClient(seed: UInt64) async throws {
        let harness = try await EmulatorHarness()
        let clean = ClientHarness(harness)
        let eni = try await clean.client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
        let c = ClientHarness(harness, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.001, maxDelay: 0.001),
                              transport: { DamagingTransport(inner: $0, seed: seed) })
        defer { Task { await clean.close(); await c.close(); await harness.stop() } }
        var outcomes: [String: Int] = [:]
        for round in 0..<60 {
            do {
                switch round % 5 {
                case 0: _ = try await c.client.describeNetworkInterfaces(eniIds: [eni.id])
                case 1: _ = try await c.client.assignPrivateIpAddresses(eni.id, count: 1)
                case 2: _ = try await c.client.describeInstanceTypes(["ecs.g6.large"])
                case 3: _ = try await c.client.describeVSwitches(vpcId: "vpc-lab")
                default: _ = try await c.client.createNetworkInterface(vSwitchId: "vsw-zone-i", securityGroupIds: ["sg-lab"])
                }
                outcomes["value", default: 0] += 1
            } catch let error as CloudResponseError {
                outcomes["malformed", default: 0] += 1
                #expect(!error.description.isEmpty)
            } catch let error as CloudAPIError {
                outcomes["api error", default: 0] += 1
                #expect(!error.code.isEmpty)
            }
        }
        #expect(outcomes["malformed", default: 0] > 0, "the damage reached the decoders: \(outcomes)")
    }
}
