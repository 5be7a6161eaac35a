import CloudAPI
import CloudENI
import Foundation
import Testing
import HTTPClient
import TestSupport

/// Each refusal the cloud role meets comes back as the documented code, with message,
/// RequestId and HTTP status, and the client reacts as it should.
@Suite struct ClientErrorTests {
    func refusal(_ body: () async throws -> Void) async -> CloudAPIError? {
        do {
            try await body()
            return nil
        } catch let error as CloudAPIError {
            return error
        } catch {
            Issue.record("not a CloudAPIError: \(error)")
            return nil
        }
    }

    @Test(arguments: SignatureStyle.allCases)
    func wrongSignatureAndUnknownKey(style: SignatureStyle) async throws {
        let harness = try await EmulatorHarness()
        let wrong = ClientHarness(harness, style: style, secret: "not-the-secret")
        let unknown = ClientHarness(harness, style: style, key: "LTAI-nobody")
        defer { Task { await wrong.close(); await unknown.close(); await harness.stop() } }
        let signature = await refusal { _ = try await wrong.client.describeInstanceTypes([]) }
        #expect(signature?.code == "SignatureDoesNotMatch" && signature?.httpStatus == 400)
        #expect(signature?.requestId.isEmpty == false && signature?.message.isEmpty == false)
        #expect(await wrong.client.statistics.attempts == 1, "a signature error is not retried")
        let key = await refusal { _ = try await unknown.client.describeInstanceTypes([]) }
        #expect(key?.code == "InvalidAccessKeyId.NotFound" && key?.httpStatus == 404)
        #expect(key.map { "\($0)" }?.contains("InvalidAccessKeyId.NotFound") == true)
    }

    @Test func quotasAndStates() async throws {
        let harness = try await EmulatorHarness()
        let c = ClientHarness(harness)
        defer { Task { await c.close(); await harness.stop() } }
        let client = c.client
        // ecs.g6.large: 6 private IPv4 per ENI with the primary, 2 ENIs with the primary.
        let eni = try await client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
        try await client.attachNetworkInterface(eni.id, to: "i-cloud-1")
        _ = try await client.waitForNetworkInterface(eni.id, status: "InUse")
        _ = try await client.assignPrivateIpAddresses(eni.id, count: 5)
        let quota = await refusal { _ = try await client.assignPrivateIpAddresses(eni.id, count: 1) }
        #expect(quota?.code == "QuotaExceeded.PrivateIpAddress" && quota?.httpStatus == 403)
        let second = try await client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
        let eniLimit = await refusal { try await client.attachNetworkInterface(second.id, to: "i-cloud-1") }
        #expect(eniLimit?.code == "EniPerInstanceLimitExceeded")
        let starting = await refusal { try await client.attachNetworkInterface(second.id, to: "i-starting") }
        #expect(starting?.code == "IncorrectInstanceStatus")
        let busy = await refusal { try await client.deleteNetworkInterface(eni.id) }
        #expect(busy?.code == "InvalidOperation.InvalidEniState")
        // vsw-tiny is a /29: 8 addresses, 4 reserved.
        let tiny = try await client.createNetworkInterface(vSwitchId: "vsw-tiny", securityGroupIds: ["sg-lab"], secondaryPrivateIPCount: 3)
        #expect(tiny.privateIPs.count == 4)
        let full = await refusal { _ = try await client.assignPrivateIpAddresses(tiny.id, count: 1) }
        #expect(full?.code == "InvalidVSwitchId.IpNotEnough")
        try await client.deleteNetworkInterface(second.id)
        let vanished = await refusal { _ = try await client.assignPrivateIpAddresses(second.id, count: 1) }
        #expect(vanished?.code == "InvalidEniId.NotFound" && vanished?.httpStatus == 404)
        #expect(await client.statistics.retries == 0, "none of these is retried")
    }

    @Test func forbiddenByRAMStopsAtOnceNamingThePermission() async throws {
        let harness = try await EmulatorHarness()
        let c = ClientHarness(harness, key: "LTAI-readonly", secret: "ro-secret")
        defer { Task { await c.close(); await harness.stop() } }
        let eni = try await c.client.createNetworkInterface(vSwitchId: "vsw-zone-h", securityGroupIds: ["sg-lab"])
        let attemptsBefore = await c.client.statistics.attempts
        let denied = await refusal { _ = try await c.client.assignPrivateIpAddresses(eni.id, count: 1) }
        #expect(denied?.code == "Forbidden.RAM" && denied?.httpStatus == 403)
        #expect(denied.map { "\($0)" }?.contains("ecs:AssignPrivateIpAddresses") == true)
        #expect(await c.client.statistics.attempts == attemptsBefore + 1)
        let vpc = await refusal { _ = try await c.client.describeVSwitches(vpcId: "vpc-lab") }
        #expect(vpc.map { "\($0)" }?.contains("vpc:DescribeVSwitches") == true)
    }

    /// STS credentials from the RAM role through metadata sign calls; neither the secret
    /// nor the token shows in the log or in an error, also when the service echoes the
    /// string it signed.
    @Test func roleCredentialsWorkAndSecretsStayOutOfLogsAndErrors() async throws {
        let harness = try await EmulatorHarness(yaml: EmulatorHarness.testWorld(extra: "faults: { failureRate: 0.3 }"))
        let http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        let metadata = MetadataClient(endpoint: .init(host: "127.0.0.1", port: harness.metadataPort), transport: http)
        let role = RAMRoleCredentials(metadata: metadata)
        let c = ClientHarness(harness, style: .rpc, credentials: role,
                              retry: RetryPolicy(maxAttempts: 10, baseDelay: 0.001, maxDelay: 0.01))
        defer { Task { await c.close(); await http.closeAll(); await harness.stop() } }
        let keys = try await role.credentials()
        #expect(keys.accessKeyId.hasPrefix("STS.") && keys.securityToken != nil)
        var errors: [String] = []
        for _ in 0..<20 {
            do { _ = try await c.client.describeInstanceTypes([]) } catch { errors.append("\(error)") }
        }
        #expect(await c.client.statistics.retries > 0, "the injected failures were retried (and logged)")
        // A tampered token: the emulator's SignatureDoesNotMatch quotes the string to sign.
        let tampered = ClientHarness(harness, style: .rpc, credentials: StaticCredentials(CloudCredentials(
            accessKeyId: keys.accessKeyId, accessKeySecret: "wrong" + keys.accessKeySecret, securityToken: keys.securityToken)))
        defer { Task { await tampered.close() } }
        do { _ = try await tampered.client.describeInstanceTypes([]) } catch { errors.append("\(error)") }
        #expect(errors.contains { $0.contains("SignatureDoesNotMatch") })
        let everything = (c.logs.all + tampered.logs.all + errors).joined(separator: "\n")
        for secret in [keys.accessKeySecret, keys.securityToken!, acsPercentEncode(keys.securityToken!)] {
            #expect(!everything.contains(secret))
        }
    }

    /// A request signed an hour ago is refused, as the service refuses skew beyond 15 minutes.
    @Test(arguments: SignatureStyle.allCases)
    func staleTimestampsAreRefused(style: SignatureStyle) async throws {
        let harness = try await EmulatorHarness()
        let http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        defer { Task { await http.closeAll(); await harness.stop() } }
        let keys = CloudCredentials(accessKeyId: "LTAI-lab", accessKeySecret: "lab-secret")
        let hourAgo = ACSTimestamp.format(secondsSince1970: Int64(Date().timeIntervalSince1970) - 3600)
        let signed = CloudRequest.describeInstanceTypes([]).signed(style: style, credentials: keys, host: harness.apiEndpoint,
                                                                   nonce: "stale-\(style)", timestamp: hourAgo)
        let response = try await http.send(signed, to: HTTPEndpoint(host: "127.0.0.1", port: harness.apiPort), timeout: 5)
        let refused = await refusal { _ = try CloudResponse.decode(action: "DescribeInstanceTypes", status: response.status, body: response.body) }
        #expect(refused?.code == "InvalidTimeStamp.Expired")
    }
}
