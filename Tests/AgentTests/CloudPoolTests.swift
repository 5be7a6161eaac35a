import CloudAPI
import CNI
import CNIProtocol
import Datapath
import Foundation
import JSON
import Netlink
import NetworkCore
import Testing
import TestSupport

/// `terway-edged` role cloud against the emulator with its real datapath (see `CloudLab`).
@Suite(.serialized) struct CloudPoolTests {
    @Test func allocateIsIdempotentAndTheENIIsUpWithItsTable() async throws {
        let lab = try await CloudLab()
        defer { lab.stop() }
        try await lab.startAgent(lab.config())
        let first = try await lab.allocate("c1")
        guard case .granted(let grant) = first else { Issue.record("\(first) \(lab.log)"); return }
        #expect(try await lab.allocate("c1") == first, "a retried ADD gets the same grant")
        #expect(try await lab.request(.lookup(.init(containerID: "c1", ifName: "eth0"))) == first)
        #expect(grant.eni.table == CloudPodRouting.table(slot: grant.eni.slot) && grant.eni.slot >= 1)
        #expect(grant.eni.gateways.map(\.description) == ["192.168.15.253"] && grant.eni.subnets.map(\.description) == ["192.168.0.0/20"])
        let node = lab.node
        let link = try await offPool { try node.exec(["ip", "-o", "link", "show"]).stdout }
            .split(separator: "\n").first { $0.contains(grant.eni.mac.description) }
        #expect(link?.contains("state UP") == true || link?.contains(",UP") == true, "\(link ?? "no link with the ENI's MAC")")
        let table = try await offPool { try node.exec(["ip", "route", "show", "table", "\(grant.eni.table)"]).stdout }
        #expect(table.contains("default via 192.168.15.253") && table.contains("192.168.0.0/20"), "\(table)")
        var info = stat()
        #expect(stat(lab.addressSocket, &info) == 0 && info.st_mode & 0o777 == 0o600)

        try await lab.release("c1")
        try await lab.release("c1")
        guard case .failed(let error) = try await lab.request(.lookup(.init(containerID: "c1", ifName: "eth0"))) else {
            Issue.record("lookup after release must fail"); return
        }
        #expect(error.code == .unknownContainer)
        // GC: only c3 stays.
        _ = try await lab.allocate("c2")
        _ = try await lab.allocate("c3")
        #expect(try await lab.request(.keep([.init(containerID: "c3", ifName: "eth0")])) == .kept(released: 1))
        let status = try await lab.status()
        #expect(status.role == "cloud" && status.cloud.inUse == 1 && status.cloud.enis.count == 1, "\(status)")
        // No IPv6 on this node: the status says nothing of an IPv6 pool (not a pool of 0).
        let json = try await lab.statusCommand(output: "json")
        let cloud = try #require(try JSONValue.parse(json).objectValue?["cloud"]?.objectValue, "\(json)")
        #expect(cloud["poolSize"] != nil && cloud["ipv6PoolSize"] == nil, "\(json)")
        let printed = try await lab.statusCommand(output: "table")
        #expect(printed.contains("POOL \(status.cloud.poolSize) addresses:") && !printed.contains("IPv6"), "\(printed)")
    }

    @Test func fiveHundredPodsInWavesKeepThePoolWithinItsBounds() async throws {
        let lab = try await CloudLab()
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 3, maxIdle: 8, idleReclaimAfter: 0.5 }", reconcileInterval: 1))
        var pods = 0
        for wave in 0..<5 {
            let ids = (0..<100).map { "w\(wave)-\($0)" }
            let granted = try await offPool {
                try ids.concurrentMap { id -> String? in
                    if case .granted(let grant) = try lab.allocate(id) { return grant.addresses[0].description }
                    return nil
                }
            }
            #expect(granted.allSatisfy { $0 != nil } && Set(granted.compactMap { $0 }).count == 100, "wave \(wave): \(lab.log.suffix(2000))")
            pods += 100
            _ = try await offPool { try ids.concurrentMap { try lab.release($0) } }
            // Back within bounds once the surplus went back (idleReclaimAfter).
            var settled = false
            for _ in 0..<100 where !settled {
                let pool = try await lab.status().cloud
                settled = pool.inUse == 0 && pool.idle <= 8 && pool.idle >= 3
                if !settled { try await Task.sleep(for: .milliseconds(100)) }
            }
            let pool = try await lab.status().cloud
            #expect(settled, "wave \(wave): idle \(pool.idle) (bounds 3...8), in use \(pool.inUse)")
            let leaks = try await lab.settledLeaks()
            #expect(leaks == (0, 0), "wave \(wave): cloud minus pool: \(leaks.addresses) addresses, \(leaks.enis) ENIs")
        }
        let calls = try await lab.status().cloud.apiCalls
        print("cloud pool: \(pods) pods in 5 waves: API calls \(calls.sorted { $0.key < $1.key })")
    }

    @Test func throttlingStormEveryAllocationSucceeds() async throws {
        let lab = try await CloudLab(faults: "faults: { throttle: { \"*\": { fraction: 0.5 } } }")
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 1, maxIdle: 4, idleReclaimAfter: 60 }"))
        let ids = (0..<60).map { "storm-\($0)" }
        let answers = try await offPool { try ids.concurrentMap { try lab.allocate($0) } }
        let failed = answers.filter { if case .granted = $0 { false } else { true } }
        #expect(failed.isEmpty, "\(failed.prefix(3)) \(lab.log.suffix(2000))")
        let throttled = try await lab.status().cloud.apiThrottled.values.reduce(0, +)
        #expect(throttled > 10, "the storm was felt: \(throttled) throttled attempts")
    }

    @Test func quotaReachedFailsWithCode11NamingTheQuota() async throws {
        // ecs.g6.large: 2 ENIs (1 for pods) of 6 addresses (5 for pods).
        let lab = try await CloudLab(type: "ecs.g6.large")
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 0, maxIdle: 5, idleReclaimAfter: 60 }"))
        for index in 0..<5 {
            guard case .granted = try await lab.allocate("q\(index)") else { Issue.record("q\(index): \(lab.log)"); return }
        }
        guard case .failed(let error) = try await lab.allocate("q5") else { Issue.record("the sixth pod must fail"); return }
        #expect(error.code == .tryAgainLater)
        let text = "\(error.msg) \(error.details)"
        #expect(text.contains("ecs.g6.large") && text.contains("eniQuantity") && text.contains("eniPrivateIpAddressQuantity"), "\(text)")
    }

    /// Another ENI on the instance (attached by someone else) takes one of the type's ENI
    /// slots: the agent counts it, so it neither creates ENIs it cannot attach (each left
    /// detached in the cloud, its intent open) nor retries, and the error names the ENI.
    @Test func anENIAttachedByOthersCountsAgainstTheQuotaAndNoENIIsLeaked() async throws {
        // ecs.g6.large: 2 ENIs, the primary and one more, which the foreign ENI takes.
        let lab = try await CloudLab(type: "ecs.g6.large")
        defer { lab.stop() }
        let foreign = try await lab.client.createNetworkInterface(vSwitchId: "vsw-a", securityGroupIds: ["sg-lab"])
        try await lab.client.attachNetworkInterface(foreign.id, to: lab.instanceId)
        _ = try await lab.client.waitForNetworkInterface(foreign.id, status: "InUse", interval: 0.05)
        try await lab.startAgent(lab.config(pool: "{ minIdle: 0, maxIdle: 5, idleReclaimAfter: 60 }"))
        let started = ContinuousClock.now
        guard case .failed(let error) = try await lab.allocate("p1") else { Issue.record("no ENI slot is left: \(lab.log)"); return }
        let took = ContinuousClock.now - started
        let text = "\(error.msg) \(error.details)"
        #expect(error.code == .tryAgainLater && text.contains("eniQuantity") && text.contains(foreign.id), "\(text)")
        #expect(took < .seconds(2), "refused at once, not after retries: \(took)")
        let left = try await lab.cloudENIs().map(\.id)
        #expect(left.isEmpty, "ENIs of ours left in the cloud: \(left)")
        #expect(try await lab.status().cloud.intentsOpen == 0)
    }

    /// The same, with the foreign ENI attached after the agent looked: the attach of the new
    /// ENI is refused, and the ENI is deleted at once (not left detached, not retried).
    @Test func aRefusedAttachDeletesTheNewENI() async throws {
        let lab = try await CloudLab(type: "ecs.g6.large")
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 0, maxIdle: 5, idleReclaimAfter: 60 }"))
        let foreign = try await lab.client.createNetworkInterface(vSwitchId: "vsw-a", securityGroupIds: ["sg-lab"])
        try await lab.client.attachNetworkInterface(foreign.id, to: lab.instanceId)
        _ = try await lab.client.waitForNetworkInterface(foreign.id, status: "InUse", interval: 0.05)
        let started = ContinuousClock.now
        guard case .failed(let error) = try await lab.allocate("p1") else { Issue.record("no ENI slot is left: \(lab.log)"); return }
        let took = ContinuousClock.now - started
        let text = "\(error.msg) \(error.details)"
        #expect(error.code == .tryAgainLater && text.contains("EniPerInstanceLimitExceeded"), "\(text)")
        #expect(took < .seconds(2), "refused at once, not after retries: \(took)")
        let left = try await lab.cloudENIs().map(\.id)
        #expect(left.isEmpty, "ENIs of ours left in the cloud: \(left)")
        #expect(try await lab.status().cloud.intentsOpen == 0)
    }

    /// A refusal that waiting does not cure (here a vSwitch that does not exist): the pod
    /// hears the cloud's error at once, and the pool asks again less and less often instead
    /// of five times every few seconds.
    @Test func aLastingRefusalFailsAtOnceAndBacksOff() async throws {
        let lab = try await CloudLab()
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 2, maxIdle: 5, idleReclaimAfter: 60 }", vSwitches: "[vsw-nope]"))
        let started = ContinuousClock.now
        guard case .failed(let error) = try await lab.allocate("p1") else { Issue.record("vsw-nope does not exist: \(lab.log)"); return }
        let took = ContinuousClock.now - started
        #expect(error.code == .tryAgainLater && "\(error.msg) \(error.details)".contains("InvalidVSwitchId.NotFound"), "\(error)")
        #expect(took < .seconds(2), "refused at once, not after retries: \(took)")
        try await Task.sleep(for: .seconds(8))
        let status = try await lab.status()
        let calls = status.cloud.apiCalls["CreateNetworkInterface"] ?? 0
        // At start, for p1, then about 2, 4 s apart: at most 4 in 8 s (the old loop made about 8).
        #expect(calls <= 4, "CreateNetworkInterface called \(calls) times in about 8 s")
        #expect(status.problems.contains { $0.contains("InvalidVSwitchId.NotFound") }, "\(status.problems)")
    }

    @Test func vSwitchOutOfAddressesMovesToTheNextAtOnce() async throws {
        let lab = try await CloudLab()
        defer { lab.stop() }
        // vsw-tiny holds 5 usable addresses (a /29): its ENI fills, the next ENI comes from vsw-a.
        try await lab.startAgent(lab.config(pool: "{ minIdle: 0, maxIdle: 20, idleReclaimAfter: 60 }", vSwitches: "[vsw-tiny, vsw-a]"))
        var subnets: Set<String> = []
        for index in 0..<8 {
            guard case .granted(let grant) = try await lab.allocate("v\(index)") else { Issue.record("v\(index): \(lab.log.suffix(2000))"); return }
            subnets.formUnion(grant.eni.subnets.map(\.description))
        }
        #expect(subnets == ["192.168.32.0/29", "192.168.0.0/20"], "\(subnets)")
    }

    @Test func anAddressNobodyOwnsIsReleasedWithinTwoReconcileIntervals() async throws {
        let lab = try await CloudLab()
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 1, maxIdle: 4, idleReclaimAfter: 60 }", reconcileInterval: 1))
        guard case .granted = try await lab.allocate("owner") else { Issue.record("\(lab.log)"); return }
        let eni = try #require(try await lab.cloudENIs().first)
        let stray = try #require(try await lab.client.assignPrivateIpAddresses(eni.id, count: 1).first)
        let started = ContinuousClock.now
        var gone = false
        while !gone, ContinuousClock.now - started < .seconds(4) {
            gone = try await !lab.cloudAddresses().contains(stray)
            if !gone { try await Task.sleep(for: .milliseconds(50)) }
        }
        let elapsed = ContinuousClock.now - started
        #expect(gone && elapsed <= .milliseconds(2300), "released after \(elapsed) (two intervals: 2 s)")
        #expect(try await lab.status().cloud.leaksRepaired >= 1)
        print("leak repair: a stray address released after \(elapsed) with reconcileInterval 1 s")
    }

    @Test func aDualStackGrantCarriesBothFamiliesAndAStrayIPv6IsReleased() async throws {
        let lab = try await CloudLab(type: "ecs.g7.4xlarge", ipv6Cidr: "2408:4000:10::/64")
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 1, maxIdle: 4, idleReclaimAfter: 60 }", reconcileInterval: 1))
        guard case .granted(let grant) = try await lab.allocate("dual") else { Issue.record("\(lab.log)"); return }
        #expect(grant.addresses.map(\.family) == [.v4, .v6], "\(grant)")
        #expect(grant.eni.gateways.map(\.description) == ["192.168.15.253", "2408:4000:10::1"])
        #expect(grant.eni.subnets.map(\.description) == ["192.168.0.0/20", "2408:4000:10::/64"])
        let eni = try #require(try await lab.cloudENIs().first)
        #expect(eni.ipv6s.contains(grant.addresses[1].description))
        // The ENI came up for this pod a moment ago: its link-local address is usable already
        // (no duplicate address detection), so the node can send neighbour solicitations on it.
        let eniLink = try await offPool { try lab.node.exec(["ip", "-o", "link", "show"]).stdout }
            .split(separator: "\n").first { $0.contains(grant.eni.mac.description) }?.split(separator: ":")[1].split(separator: "@")[0].trimmingCharacters(in: .whitespaces)
        let linkLocal = try await offPool { try lab.node.exec(["ip", "-6", "addr", "show", "dev", eniLink ?? "-", "scope", "link"]).stdout }
        #expect(linkLocal.contains("fe80::") && !linkLocal.contains("tentative"), "\(eniLink ?? "no ENI link"): \(linkLocal)")
        // The ENI's table routes IPv6 too.
        let table = try await offPool { try lab.node.exec(["ip", "-6", "route", "show", "table", "\(grant.eni.table)"]).stdout }
        #expect(table.contains("default via 2408:4000:10::1"), "\(table)")

        let stray = try #require(try await lab.client.assignIpv6Addresses(eni.id, count: 1).first)
        let started = ContinuousClock.now
        var gone = false
        while !gone, ContinuousClock.now - started < .seconds(4) {
            gone = try await !lab.cloudENIs().flatMap(\.ipv6s).contains(stray)
            if !gone { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(gone, "the stray IPv6 \(stray) is still assigned after \(ContinuousClock.now - started)")
        // The pod's pair stays.
        #expect(try await lab.cloudENIs().flatMap(\.ipv6s).contains(grant.addresses[1].description))
        guard case .granted(let again) = try await lab.request(.lookup(PodAttachmentKey(containerID: "dual", ifName: "eth0"))) else {
            Issue.record("lookup refused"); return
        }
        #expect(again.addresses == grant.addresses)

        // A burst of 40: new ENIs on the vSwitch now known dual-stack come with IPv6
        // addresses (at most 10 in the create call, the rest assigned after).
        let ids = (0..<40).map { "b\($0)" }
        let families = try await offPool {
            try ids.concurrentMap { id -> [IPFamily] in
                if case .granted(let grant) = try lab.allocate(id) { return grant.addresses.map(\.family) }
                return []
            }
        }
        #expect(families.allSatisfy { $0 == [.v4, .v6] }, "\(families) \(lab.log.suffix(2000))")
        #expect(try await lab.settledLeaks() == (0, 0))
        let pool = try await lab.status().cloud
        #expect(pool.ipv6PoolSize == pool.poolSize, "every address has its IPv6 partner: \(pool)")
        // Its own snapshot: the pool may have trimmed since.
        let printed = try await lab.statusCommand(output: "table")
        let line = printed.split(separator: "\n").first { $0.hasPrefix("POOL ") }.map { $0.split(separator: " ") } ?? []
        #expect(line.count > 5 && line[2] == "IPv4" && line[1] == line[4] && line[5] == "IPv6", "\(printed)")
        let calls = pool.apiCalls
        print("dual-stack: 41 pods, API calls \(calls.sorted { $0.key < $1.key }.filter { !$0.key.hasPrefix("Describe") })")
    }

    @Test func aHandDeletedRuleOrRouteIsBackWithinOneSecond() async throws {
        let lab = try await CloudLab()
        defer { lab.stop() }
        try await lab.startAgent(lab.config())
        guard case .granted(let grant) = try await lab.allocate("r1") else { Issue.record("\(lab.log)"); return }
        let address = grant.addresses[0].description
        // What the plugin installs at ADD (the host end named as the plugin names it).
        let host = EdgeDatapath.hostInterfaceName(containerID: "r1", ifName: "eth0")
        let node = lab.node
        let table = "\(grant.eni.table)"
        try await offPool {
            try node.exec(["ip", "link", "add", host, "type", "veth", "peer", "name", "r1peer"])
            try node.exec(["ip", "link", "set", host, "up"])
            try node.exec(["ip", "route", "add", "\(address)/32", "dev", host, "scope", "link"])
            try node.exec(["ip", "rule", "add", "pref", "512", "to", "\(address)/32", "lookup", "main"])
            try node.exec(["ip", "rule", "add", "pref", "2048", "from", "\(address)/32", "lookup", table])
        }
        // The agent adopts them at its next pass (at most a second).
        try await Task.sleep(for: .milliseconds(1500))
        /// Deletes by hand, then how long until the agent adds it again: from the kernel's
        /// removal event to its add event (off the cooperative pool).
        func back(deleting argv: [String], removed: @escaping @Sendable (NetlinkEvent) -> Bool,
                  added: @escaping @Sendable (NetlinkEvent) -> Bool) async throws -> Duration {
            try await offPool {
                try KernelRepairClock(node, groups: [.ipv4Route, .ipv4Rule]).time({ try node.exec(argv) }, startsAt: removed, stopsAt: added)
                    ?? .seconds(99)
            }
        }
        let eniTable = UInt32(grant.eni.table)
        let ruleBack = try await back(deleting: ["ip", "rule", "del", "pref", "2048", "from", "\(address)/32", "lookup", table],
                                      removed: { $0.isRule(from: "\(address)/32", removed: true) },
                                      added: { $0.isRule(from: "\(address)/32", removed: false) })
        let routeBack = try await back(deleting: ["ip", "route", "del", "\(address)/32", "dev", host],
                                       removed: { $0.isRoute(to: "\(address)/32", removed: true) },
                                       added: { $0.isRoute(to: "\(address)/32", removed: false) })
        let tableBack = try await back(deleting: ["ip", "route", "del", "default", "table", table],
                                       removed: { $0.isRoute(to: "0.0.0.0/0", table: eniTable, removed: true) },
                                       added: { $0.isRoute(to: "0.0.0.0/0", table: eniTable, removed: false) })
        let inPlace = try await offPool {
            [try node.exec(["ip", "rule", "show"]).stdout.contains("from \(address) lookup \(table)"),
             try node.exec(["ip", "route", "show", "\(address)/32"]).stdout.contains(host),
             try node.exec(["ip", "route", "show", "table", table]).stdout.contains("default via")]
        }
        #expect(inPlace == [true, true, true], "rule, host route, ENI table default route in place")
        #expect(ruleBack < .seconds(1) && routeBack < .seconds(1) && tableBack < .seconds(1),
                "rule \(ruleBack), host route \(routeBack), ENI table \(tableBack)")
        print("repair: rule back in \(ruleBack), host route in \(routeBack), ENI table default route in \(tableBack)")
    }

    @Test func anIdleENIIsDeletedButNeverOneWithAnAddressInUse() async throws {
        let lab = try await CloudLab()
        defer { lab.stop() }
        try await lab.startAgent(lab.config(pool: "{ minIdle: 0, maxIdle: 2, idleReclaimAfter: 1 }"))
        // 25 pods: two ENIs of 19.
        var slots: [String: Int] = [:]
        for index in 0..<25 {
            guard case .granted(let grant) = try await lab.allocate("s\(index)") else { Issue.record("\(lab.log)"); return }
            slots["s\(index)"] = grant.eni.slot
        }
        let before = try await lab.cloudENIs()
        try #require(before.count == 2, "\(before.map(\.id))")
        let emptied = slots.values.max()!, kept = slots.values.min()!
        let leaving = slots.filter { $0.value == emptied }.keys.sorted()
        // All but one of the pods of the second ENI go: it keeps an address in use.
        for id in leaving.dropFirst() { try await lab.release(id) }
        try await Task.sleep(for: .seconds(3))
        #expect(try await lab.cloudENIs().count == 2, "an ENI with an address in use was deleted")
        // The last one goes: the ENI is deleted after idleReclaimAfter (1 s) plus a loop tick.
        try await lab.release(leaving[0])
        let started = ContinuousClock.now
        var left = try await lab.cloudENIs()
        while left.count > 1, ContinuousClock.now - started < .seconds(10) {
            try await Task.sleep(for: .milliseconds(100))
            left = try await lab.cloudENIs()
        }
        let elapsed = ContinuousClock.now - started
        #expect(left.count == 1, "\(left.map(\.id)) after \(elapsed)")
        // The pods of the first ENI still hold their addresses, and nothing leaked.
        let stays = slots.first { $0.value == kept }!.key
        guard case .granted(let grant) = try await lab.request(.lookup(PodAttachmentKey(containerID: stays, ifName: "eth0"))) else {
            Issue.record("\(stays) lost its address"); return
        }
        #expect(grant.eni.slot == kept)
        #expect(try await lab.settledLeaks() == (0, 0))
        let table = try await offPool { [node = lab.node] in
            try node.exec(["ip", "route", "show", "table", "\(1000 + emptied)"]).stdout
        }
        #expect(table.isEmpty, "\(table)")
        if left.count == 1 { print("pool shrink: the idle ENI deleted \(elapsed) after its last pod left (idleReclaimAfter 1 s)") }
    }

    @Test func aReleasedGrantLeavesNoRuleOrRouteBehind() async throws {
        let lab = try await CloudLab()
        defer { lab.stop() }
        try await lab.startAgent(lab.config())
        let node = lab.node
        var installed: [(id: String, address: String, host: String)] = []
        for id in ["g1", "g2", "g3"] {
            guard case .granted(let grant) = try await lab.allocate(id) else { Issue.record("\(lab.log)"); return }
            let address = grant.addresses[0].description, host = EdgeDatapath.hostInterfaceName(containerID: id, ifName: "eth0")
            try await offPool {
                try node.exec(["ip", "link", "add", host, "type", "veth", "peer", "name", "\(id)peer"])
                try node.exec(["ip", "link", "set", host, "up"])
                try node.exec(["ip", "route", "add", "\(address)/32", "dev", host, "scope", "link"])
                try node.exec(["ip", "rule", "add", "pref", "512", "to", "\(address)/32", "lookup", "main"])
                try node.exec(["ip", "rule", "add", "pref", "2048", "from", "\(address)/32", "lookup", "\(grant.eni.table)"])
            }
            installed.append((id, address, host))
        }
        // Seen by a repair pass: from now on the agent's to keep.
        try await Task.sleep(for: .milliseconds(1500))
        // g1 released before its DEL (the veth is still there); g2 by GC, which keeps g3 only.
        try await lab.release("g1")
        guard case .kept(released: 1) = try await lab.request(.keep([PodAttachmentKey(containerID: "g3", ifName: "eth0")])) else {
            Issue.record("keep refused"); return
        }
        // Two repair passes later, still gone.
        try await Task.sleep(for: .milliseconds(2200))
        let (rules, routes) = try await offPool {
            (try node.exec(["ip", "rule", "show"]).stdout, try node.exec(["ip", "route", "show"]).stdout)
        }
        for pod in installed.prefix(2) {
            #expect(!rules.contains(pod.address + " "), "\(pod.id): \(rules)")
            #expect(!routes.contains(pod.address + " "), "\(pod.id): \(routes)")
        }
        let kept = installed[2]
        #expect(rules.contains("from \(kept.address) lookup") && rules.contains("to \(kept.address) lookup main"), "\(rules)")
        #expect(routes.contains("\(kept.address) dev \(kept.host)"), "\(routes)")
    }
}

extension Array where Element: Sendable {
    /// Runs `body` on every element from up to 16 threads; results in order.
    func concurrentMap<T: Sendable>(_ body: @escaping @Sendable (Element) throws -> T) throws -> [T] {
        let results = UnsafeMutableBufferPointer<Result<T, any Error>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let box = UnsafeSendable(results)
        let elements = self
        DispatchQueue.concurrentPerform(iterations: count) { index in
            box.value[index] = Result { try body(elements[index]) }
        }
        return try results.map { try $0!.get() }
    }
}

private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
