import CNIProtocol
import Foundation
import Testing
import TestSupport

/// SIGKILL of `terway-edged` role cloud at each step of assign, create-ENI and release,
/// with the emulator's latency or attach delay holding the step open: after a restart the
/// cloud holds no address and no ENI of the node that the pool does not.
@Suite(.serialized) struct CloudCrashTests {
    /// Waits until the ledger's journal shows an intent of `action` (the step is under way),
    /// then kills the agent.
    private func kill(_ lab: CloudLab, during action: String, timeout: Double = 30) async throws {
        let marker = "\"action\":\"\(action)\""
        try await offPool {
            let seen = waitUntil(timeout: timeout, interval: 0.005) {
                ((try? String(contentsOfFile: lab.ledger + "/ledger.journal", encoding: .utf8)) ?? "").contains(marker)
            }
            guard seen else { throw TestEnvironmentError("no \(action) intent within \(timeout) s: \(lab.log.suffix(2000))") }
            lab.killAgent()
        }
    }

    private func restartAndCheck(_ lab: CloudLab, _ yaml: String, step: String) async throws {
        try await lab.startAgent(yaml)
        // The kill left the step's intent open, and the restart carried it out.
        #expect(lab.log.contains("completed an interrupted \(step)"), "\(lab.log.suffix(2000))")
        let leaks = try await lab.settledLeaks()
        var open = try await lab.status().cloud.intentsOpen
        for _ in 0..<50 where open > 0 {
            try await Task.sleep(for: .milliseconds(100))
            open = try await lab.status().cloud.intentsOpen
        }
        #expect(open == 0, "\(step): \(open) intents still open after the restart")
        #expect(leaks == (0, 0), "\(step): leaked \(leaks.addresses) addresses, \(leaks.enis) ENIs: \(lab.log.suffix(3000))")
        // The restarted pool works.
        guard case .granted = try await lab.allocate("after-\(step)") else { Issue.record("\(step): no address after restart"); return }
    }

    @Test func killedWhileAssigning() async throws {
        let lab = try await CloudLab(faults: "faults: { latency: 0.4 }")
        defer { lab.stop() }
        let yaml = lab.config(pool: "{ minIdle: 1, maxIdle: 10, idleReclaimAfter: 60 }")
        try await lab.startAgent(yaml)
        _ = try await offPool { waitUntil(timeout: 20) { ((try? lab.status().cloud.idle) ?? 0) >= 1 } }
        // Two pods take the idle address and ask for more: an assign on the ENI.
        let background = Thread { for id in ["a1", "a2", "a3"] { _ = try? lab.allocate(id) } }
        background.start()
        try await kill(lab, during: "assign")
        try await restartAndCheck(lab, yaml, step: "assign")
    }

    @Test func killedWhileCreatingTheENI() async throws {
        let lab = try await CloudLab(faults: "faults: { latency: 0.4 }")
        defer { lab.stop() }
        let yaml = lab.config(pool: "{ minIdle: 2, maxIdle: 10, idleReclaimAfter: 60 }")
        // The pool's first ENI is created at start: killed with CreateNetworkInterface in flight.
        try lab.launchAgent(yaml)
        try await kill(lab, during: "createENI")
        try await restartAndCheck(lab, yaml, step: "createENI")
    }

    @Test func killedWhileAttachingTheNewENI() async throws {
        let lab = try await CloudLab(delays: "{ attach: 2, detach: 0.1, metadata: 0.05 }")
        defer { lab.stop() }
        let yaml = lab.config(pool: "{ minIdle: 2, maxIdle: 10, idleReclaimAfter: 60 }")
        try lab.launchAgent(yaml)
        // Created (the intent now names the ENI), the attach under way for 2 s.
        try await kill(lab, during: "attachENI")
        try await restartAndCheck(lab, yaml, step: "attachENI")
    }

    /// The interrupted attach cannot be carried out at restart (the ENI was detached and
    /// another ENI took the instance's one slot meanwhile): the agent still starts, with the
    /// new ENI deleted and the intent closed, instead of failing its start over and over.
    @Test func killedWhileAttachingAndTheSlotWasTakenMeanwhile() async throws {
        let lab = try await CloudLab(type: "ecs.g6.large", delays: "{ attach: 1, detach: 0.1, metadata: 0.05 }")
        defer { lab.stop() }
        let yaml = lab.config(pool: "{ minIdle: 2, maxIdle: 5, idleReclaimAfter: 60 }")
        try lab.launchAgent(yaml)
        try await kill(lab, during: "attachENI")
        let ours = try #require(try await lab.cloudENIs().first)
        // The kill may come before or after the attach call: an attach in flight settles (1 s), then goes.
        try await Task.sleep(for: .seconds(1.5))
        if try await lab.client.describeNetworkInterface(ours.id).status != "Available" {
            _ = try await lab.client.waitForNetworkInterface(ours.id, status: "InUse", interval: 0.05)
            try await lab.client.detachNetworkInterface(ours.id, from: lab.instanceId)
            _ = try await lab.client.waitForNetworkInterface(ours.id, status: "Available", interval: 0.05)
        }
        let foreign = try await lab.client.createNetworkInterface(vSwitchId: "vsw-a", securityGroupIds: ["sg-lab"])
        try await lab.client.attachNetworkInterface(foreign.id, to: lab.instanceId)
        _ = try await lab.client.waitForNetworkInterface(foreign.id, status: "InUse", interval: 0.05)

        try await lab.startAgent(yaml)
        #expect(try await lab.cloudENIs().isEmpty, "the ENI that could not be attached is deleted")
        #expect(try await lab.status().cloud.intentsOpen == 0)
        guard case .failed(let error) = try await lab.allocate("p1") else { Issue.record("no ENI slot is left"); return }
        #expect("\(error.msg) \(error.details)".contains(foreign.id), "\(error)")
    }

    @Test func killedWhilePairingIPv6() async throws {
        let lab = try await CloudLab(type: "ecs.g7.4xlarge", ipv6Cidr: "2408:4000:10::/64", faults: "faults: { latency: 0.4 }")
        defer { lab.stop() }
        let yaml = lab.config(pool: "{ minIdle: 2, maxIdle: 10, idleReclaimAfter: 60 }")
        try lab.launchAgent(yaml)
        // The first ENI's IPv4 addresses are in; their IPv6 partners are being assigned.
        try await kill(lab, during: "assignIPv6")
        try await restartAndCheck(lab, yaml, step: "assignIPv6")
        #expect(try await lab.status().cloud.ipv6PoolSize ?? 0 >= 2)
    }

    @Test func killedWhileReleasing() async throws {
        let lab = try await CloudLab(faults: "faults: { latency: 0.4 }")
        defer { lab.stop() }
        let yaml = lab.config(pool: "{ minIdle: 0, maxIdle: 1, idleReclaimAfter: 60 }")
        try await lab.startAgent(yaml)
        for id in ["r1", "r2", "r3", "r4"] { _ = try await lab.allocate(id) }
        // Four idle against maxIdle 1: three go back (UnassignPrivateIpAddresses).
        for id in ["r1", "r2", "r3", "r4"] { try await lab.release(id) }
        try await kill(lab, during: "unassign")
        try await restartAndCheck(lab, yaml, step: "unassign")
    }
}
