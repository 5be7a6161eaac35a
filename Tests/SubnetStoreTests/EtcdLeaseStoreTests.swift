import Foundation
import HTTPClient
import NetworkCore
@testable import SubnetStore
import TestSupport
import Testing

/// The etcd store against real etcd 3.4 members (/usr/bin/etcd) on loopback ports. One at
/// a time: the conformance checks time expiries, and 200 agent processes starve them.
@Suite(.serialized) struct EtcdLeaseStoreTests {
    @Test(arguments: LeaseStoreConformance.checks)
    func conformance(_ check: LeaseStoreConformance.Check) async throws {
        try await EtcdSharedCluster.with { cluster in
            try await check.run(EtcdLeaseStoreHarness(cluster: cluster))
        }
    }

    /// 200 agent processes (`terway-edge ipam acquire`) race for the /24s of a /16 at once.
    @Test func twoHundredAgentProcessesGetDistinctSubnets() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(cluster: cluster)
            let leases = try await Self.agentProcesses(200, harness: harness)
            #expect(leases.count == 200)
            #expect(Set(leases.values).count == 200, "every agent holds its own /24")
            #expect(leases.values.allSatisfy { $0.length == 24 && IPPrefix("10.0.0.0/16")!.contains($0) })
            let reader = try harness.openStore(pools: []) as! EtcdLeaseStore
            let stored = try await reader.list()
            #expect(Dictionary(uniqueKeysWithValues: stored.map { ($0.node, $0.subnets[0]) }) == leases)
            // Reading in pages (at one revision) gives the same keys as reading at once.
            let (_, paged) = try await reader.client.rangeAll(prefix: reader.layout.leasesPrefix, pageSize: 7)
            #expect(paged.map(\.keyString) == stored.map { "\(reader.layout.prefix)/leases/\($0.node)" })
            await reader.close()
        }
    }

    /// The leader is killed (SIGKILL, by PID) while 150 agent processes acquire: every agent
    /// still ends with one lease, no subnet is held twice, and etcd holds what they printed.
    @Test func leaderKilledMidRun() async throws {
        let cluster = try EtcdCluster(size: 3)
        defer { cluster.stopAll() }
        let harness = EtcdLeaseStoreHarness(cluster: cluster)
        let probe = try EtcdClient(EtcdClient.Configuration(endpoints: cluster.members.map {
            try HTTPEndpoint(parsing: $0.clientURL, defaultPort: 2379)
        }))
        _ = try await probe.put(key: Array("\(harness.prefix)-probe".utf8), value: Array("before".utf8))
        let reader = try harness.openStore(pools: [])
        async let leases = Self.agentProcesses(150, harness: harness)
        // Kill the leader once the first agents have their leases, and time the first write after.
        let started = try await Self.eventually(timeout: 60) { try await reader.list().count >= 10 }
        #expect(started)
        let doneAtKill = try await reader.list().count
        let killed = try cluster.killLeader()
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await probe.put(key: Array("\(harness.prefix)-probe".utf8), value: Array("after-kill".utf8))
        let failover = clock.now - start
        print("etcd: leader m\(killed) killed with \(doneAtKill) of 150 leases taken; the next write succeeded after \(failover)")
        let result = try await leases
        #expect(doneAtKill < 150, "the kill came mid-run")
        #expect(result.count == 150)
        #expect(Set(result.values).count == 150)
        let stored = try await reader.list()
        #expect(Dictionary(uniqueKeysWithValues: stored.map { ($0.node, $0.subnets[0]) }) == result)
        #expect(try cluster.leaderIndex() != nil)
        await reader.close()
        await probe.close()
    }

    /// etcd itself deletes a lease nobody renews (its TTL), and the subnet goes to the next node.
    @Test func etcdExpiresUnrenewedLeases() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(cluster: cluster)
            let pools = [try NodeSubnetAllocator(clusterCIDR: .init(parsing: "10.9.0.0/24"), subnetLength: 24)]
            let store = try harness.openStore(pools: pools) as! EtcdLeaseStore
            let old = try await store.acquire(LeaseRequest(node: "edge-old", nodeAddress: IPAddress("192.168.0.1")!, ttl: .seconds(2)))
            let subnetKey = store.layout.subnetKey(old.subnets[0])
            #expect(try await store.client.range(EtcdRangeRequest(key: subnetKey)).kvs.first?.value == Array("edge-old".utf8))
            // No renewal: the lease's 2 s plus the store's second of margin plus etcd's 500 ms lease checker.
            let gone = try await Self.eventually(timeout: 60) {
                try await store.client.range(EtcdRangeRequest(prefix: Array("\(harness.prefix)/".utf8))).kvs.isEmpty
            }
            #expect(gone, "etcd deleted the record and the subnet key")
            let next = try await store.acquire(LeaseRequest(node: "edge-new", nodeAddress: IPAddress("192.168.0.2")!))
            #expect(next.subnets == old.subnets)
            await store.close()
        }
    }

    /// A watcher cut off while the history it needs is compacted re-lists and reports the difference.
    @Test func watchReListsAfterCompaction() async throws {
        let cluster = try EtcdCluster(size: 3)
        defer { cluster.stopAll() }
        let all = EtcdLeaseStoreHarness(cluster: cluster)
        let pools = [try NodeSubnetAllocator(clusterCIDR: .init(parsing: "10.0.0.0/16"), subnetLength: 24)]
        let writer = try all.openStore(pools: pools) as! EtcdLeaseStore
        _ = try await writer.acquire(LeaseRequest(node: "edge-a", nodeAddress: IPAddress("192.168.0.1")!))
        // The watcher talks to member 0 only, so stopping it cuts the watch.
        let watcher = try EtcdLeaseStore(url: LeaseStoreURL(parsing: "etcd://\(cluster.storeAuthority.split(separator: ",")[0])\(all.prefix)"),
                                         options: LeaseStoreOptions(pools: pools))
        let events = LeaseEventCollector(try await watcher.watch())
        _ = try await events.next("added", node: "edge-a")
        // If member 0 leads, the other two elect a new leader; the writer fails over to them.
        cluster.stop(0)
        let b = try await writer.acquire(LeaseRequest(node: "edge-b", nodeAddress: IPAddress("192.168.0.2")!))
        try await writer.release(node: "edge-a")
        let header = try await writer.client.put(key: Array("\(all.prefix)-marker".utf8), value: [0x31])
        try await writer.client.compact(revision: header.revision)
        try cluster.start(0)
        #expect(try await events.next("added", node: "edge-b", timeout: .seconds(20)).lease.subnets == b.subnets)
        _ = try await events.next("deleted", node: "edge-a")
        await events.stop()
        await watcher.close()
        await writer.close()
    }

    // MARK: Helpers

    /// Starts `count` `terway-edge ipam acquire` processes at once against the harness's
    /// etcd prefix; returns the subnet each printed, by node. A failed agent fails the test.
    static func agentProcesses(_ count: Int, harness: EtcdLeaseStoreHarness) async throws -> [String: IPPrefix] {
        let cli = try builtExecutable("terway-edge")
        let directory = try TemporaryDirectory("te-agents")
        let agents = try (0..<count).map { index in
            try launchLogged([cli, "ipam", "acquire", "--store", harness.url, "--cluster-cidr", "10.0.0.0/16",
                              "--node-subnet-length", "24", "--strategy", "hashed-start", "--node", "agent-\(index)",
                              "--node-address", "192.168.\(index / 250).\(index % 250 + 1)", "--output", "json"],
                             log: directory.file("agent-\(index).log"))
        }
        try await offPool { agents.forEach { $0.waitUntilExit() } }
        var leases: [String: IPPrefix] = [:]
        for (index, agent) in agents.enumerated() {
            let output = try String(contentsOfFile: directory.file("agent-\(index).log"), encoding: .utf8)
            #expect(agent.terminationStatus == 0, "agent-\(index) failed: \(output)")
            let items = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]]
            leases["agent-\(index)"] = ((items?.first?["subnets"] as? [String])?.first).flatMap { IPPrefix($0) }
        }
        return leases
    }

    static func eventually(timeout: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }
}
