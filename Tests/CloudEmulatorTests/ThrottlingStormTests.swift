import CloudAPI
import CloudENI
import Foundation
import Testing
import HTTPClient
import TestSupport

/// Half the calls refused as throttled, and a tenth applied but answered InternalError (the
/// answer lost after the change): 100 assignments still complete, each address assigned
/// once, and no backoff waits beyond the cap.
@Suite struct ThrottlingStormTests {
    @Test func hundredAssignmentsThroughAStorm() async throws {
        let harness = try await EmulatorHarness(yaml: EmulatorHarness.testWorld(
            extra: "faults: { lostAnswerRate: 0.1, throttle: { AssignPrivateIpAddresses: { fraction: 0.5 } } }"))
        let retry = RetryPolicy(maxAttempts: 16, baseDelay: 0.005, maxDelay: 0.08)
        let c = ClientHarness(harness, retry: retry)
        defer { Task { await c.close(); await harness.stop() } }
        // Unattached ENIs hold up to 20 addresses (the largest type's quota): 19 each.
        var enis: [String] = []
        for _ in 0..<6 {
            enis.append(try await c.client.createNetworkInterface(vSwitchId: "vsw-zone-i", securityGroupIds: ["sg-lab"]).id)
        }
        let client = c.client
        let started = ContinuousClock.now
        let assigned = try await withThrowingTaskGroup(of: [String].self) { group in
            for index in 0..<100 {
                let eni = enis[index % enis.count]
                group.addTask { try await client.assignPrivateIpAddresses(eni, count: 1) }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - started
        #expect(assigned.count == 100 && Set(assigned).count == 100, "no address handed out twice")
        let onENIs = try await client.describeNetworkInterfaces(eniIds: enis).flatMap { $0.privateIPs.dropFirst() }
        #expect(onENIs.count == 100 && Set(onENIs) == Set(assigned), "no assignment applied twice or leaked")
        let stats = await client.statistics
        #expect(stats.throttled > 20 && stats.retries >= stats.throttled)
        #expect(stats.longestBackoff <= retry.maxDelay)
        print("storm: 100 assignments in \(elapsed), \(stats.attempts) attempts, \(stats.throttled) throttled, longest backoff \(Int(stats.longestBackoff * 1000)) ms")
    }

    /// A calls-per-second cap on every action: a burst beyond it is refused
    /// `Throttling.Api`; our client's own bucket, set below the cap, is never refused.
    @Test func rateCapsRefuseABurstAndPacingAvoidsThem() async throws {
        let harness = try await EmulatorHarness(yaml: EmulatorHarness.testWorld(extra: "faults: { throttle: { \"*\": { perSecond: 2 } } }"))
        let eager = ClientHarness(harness, retry: RetryPolicy(maxAttempts: 1))
        defer { Task { await eager.close(); await harness.stop() } }
        // 40 at once: however slow the machine, far more than 2 a second arrive.
        let client = eager.client
        let codes = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    do { _ = try await client.describeInstanceTypes([]); return nil } catch { return (error as? CloudAPIError)?.code ?? "\(error)" }
                }
            }
            return await group.reduce(into: [String]()) { if let code = $1 { $0.append(code) } }
        }
        #expect(codes.count >= 20 && Set(codes) == ["Throttling.Api"], "\(codes)")
        try await Task.sleep(for: .seconds(1.2))
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: harness.apiPort)
        let paced = CloudClient(config: CloudClientConfig(region: "cn-hangzhou", ecsEndpoint: endpoint, vpcEndpoint: endpoint,
                                                          retry: RetryPolicy(maxAttempts: 1), ratePerAction: ["DescribeInstanceTypes": 1.5]),
                                transport: eager.http, credentials: StaticCredentials(CloudCredentials(accessKeyId: "LTAI-lab", accessKeySecret: "lab-secret")))
        for _ in 0..<5 { _ = try await paced.describeInstanceTypes([]) }
    }
}
