import Foundation
import NetworkCore
@testable import SubnetStore
import Testing
import TestSupport

/// The etcd store against real etcd 3.4 members (/usr/bin/etcd) on loopback ports.
@Suite struct EtcdLeaseStoreTests {
    @Test(arguments: LeaseStoreConformance.checks)
    func conformance(_ check: LeaseStoreConformance.Check) async throws {
        try await EtcdSharedCluster.with { cluster in
            try await check.run(EtcdLeaseStoreHarness(endpoints: cluster.endpoints))
        }
    }

    /// 200 agents, each with its own client, race for the /24s of a /16 at once.
    @Test func twoHundredAgentsGetDistinctSubnets() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(endpoints: cluster.endpoints)
            let pools = [try NodeSubnetAllocator(clusterCIDR: .init(parsing: "10.0.0.0/16"), subnetLength: 24, strategy: .hashedStart)]
            let leases = try await Self.race(agents: 200, harness: harness, pools: pools)
            #expect(Set(leases.values.flatMap(\.subnets)).count == 200)
            let reader = try harness.openStore(pools: [])
            let stored = try await reader.list()
            #expect(stored.count == 200)
            #expect(Dictionary(uniqueKeysWithValues: stored.map { ($0.node, $0.subnets) }) == leases.mapValues(\.subnets))
            await reader.close()
        }
    }

    /// The leader is killed while agents acquire: every agent still ends with one lease,
    /// no subnet is held twice, and the store holds exactly what the agents were told.
    @Test func leaderKilledMidRun() async throws {
        let cluster = try EtcdCluster(size: 3)
        defer { cluster.stopAll() }
        let harness = EtcdLeaseStoreHarness(endpoints: cluster.endpoints)
        let pools = [try NodeSubnetAllocator(clusterCIDR: .init(parsing: "10.0.0.0/16"), subnetLength: 24, strategy: .hashedStart)]
        let probe = try EtcdClient(EtcdClient.Configuration(endpoints: cluster.members.map {
            try HTTPEndpoint(parsing: $0.clientURL, defaultPort: 2379)
        }))
        async let leases = Self.race(agents: 150, harness: harness, pools: pools)
        // Let the race get going, then kill the leader by PID and time the first write after.
        try await Task.sleep(for: .milliseconds(300))
        let killed = try cluster.killLeader()
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await probe.put(key: Array("\(harness.prefix)-probe".utf8), value: Array("after-kill".utf8))
        let failover = clock.now - start
        print("etcd: leader m\(killed) killed; first write through the client succeeded after \(failover)")
        let result = try await leases
        #expect(result.count == 150)
        #expect(Set(result.values.flatMap(\.subnets)).count == 150)
        let stored = try await harness.openStore(pools: []).list()
        #expect(Dictionary(uniqueKeysWithValues: stored.map { ($0.node, $0.subnets) }) == result.mapValues(\.subnets))
        #expect(try cluster.leaderIndex() != nil)
        await probe.close()
    }

    /// etcd itself deletes a lease nobody renews (its TTL), and the subnet goes to the next node.
    @Test func etcdExpiresUnrenewedLeases() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(endpoints: cluster.endpoints)
            let pools = [try NodeSubnetAllocator(clusterCIDR: .init(parsing: "10.9.0.0/24"), subnetLength: 24)]
            let store = try harness.openStore(pools: pools) as! EtcdLeaseStore
            let old = try await store.acquire(LeaseRequest(node: "edge-old", nodeAddress: IPAddress("192.168.0.1")!, ttl: .seconds(1)))
            let subnetKey = store.layout.subnetKey(old.subnets[0])
            #expect(try await store.client.range(EtcdRangeRequest(key: subnetKey)).kvs.first?.value == Array("edge-old".utf8))
            // No renewal: etcd's minimum TTL (2 s here) plus its 500 ms lease checker.
            let gone = try await Self.eventually(timeout: 6) {
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
        let all = EtcdLeaseStoreHarness(endpoints: cluster.endpoints)
        let pools = [try NodeSubnetAllocator(clusterCIDR: .init(parsing: "10.0.0.0/16"), subnetLength: 24)]
        let writer = try all.openStore(pools: pools) as! EtcdLeaseStore
        _ = try await writer.acquire(LeaseRequest(node: "edge-a", nodeAddress: IPAddress("192.168.0.1")!))
        // The watcher talks to member 0 only, so stopping it cuts the watch.
        let watcher = try EtcdLeaseStore(url: LeaseStoreURL(parsing: "etcd://\(cluster.members[0].clientURL.dropFirst(7))\(all.prefix)"),
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
        _ = try await events.next("deleted", node: "edge-a", timeout: .seconds(5))
        await events.stop()
        await watcher.close()
        await writer.close()
    }

    // MARK: Helpers

    /// Starts `agents` stores at once, each acquiring its own node's lease.
    static func race(agents: Int, harness: EtcdLeaseStoreHarness, pools: [NodeSubnetAllocator]) async throws -> [String: Lease] {
        try await withThrowingTaskGroup(of: Lease.self) { group in
            for index in 0..<agents {
                group.addTask {
                    let store = try harness.openStore(pools: pools)
                    defer { Task { await store.close() } }
                    return try await store.acquire(LeaseRequest(node: "edge-\(index)", nodeAddress: IPAddress("192.168.1.1")!))
                }
            }
            var leases: [String: Lease] = [:]
            for try await lease in group { leases[lease.node] = lease }
            return leases
        }
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
