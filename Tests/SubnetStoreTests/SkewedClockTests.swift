import Foundation
import NetworkCore
import SubnetStore
import Testing
import TestSupport

/// Issue 16 item 1: an agent whose clock runs hours ahead (libfaketime, by Debian's
/// `faketime`, moves the clock of that one process) must not take a live node's subnet
/// when the pool is full: expiry is decided where skew cannot matter.
@Suite(.serialized) struct SkewedClockTests {
    /// `terway-edge ipam acquire` under `faketime -f +5h` against a pool with one subnet,
    /// which a live lease (10 minutes left) holds. Returns the exit status and output.
    static func skewedAcquire(store: String) throws -> CommandResult {
        let cli = try builtExecutable("terway-edge")
        return try run(["faketime", "-f", "+5h", cli, "ipam", "acquire", "--store", store, "--cluster-cidr", "10.7.0.0/24",
                        "--node-subnet-length", "24", "--node", "edge-skewed", "--node-address", "192.168.7.2", "--output", "json"],
                       check: false)
    }

    static let pools = [try! NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: "10.7.0.0/24"), subnetLength: 24)]

    static func checkLiveLeaseKept(_ store: any LeaseStore, live: Lease, skewed: CommandResult) async throws {
        #expect(skewed.status != 0, "the skewed agent took the live subnet: \(skewed.stdout)")
        #expect(skewed.stderr.contains("no free /24 subnet"), "\(skewed.stderr)")
        let after = try await store.list()
        #expect(after.map(\.node) == ["edge-live"])
        #expect(after.first?.subnets == live.subnets)
    }

    @Test func embeddedStoreKeepsLiveLeaseAgainstSkewedAgent() async throws {
        let directory = try TemporaryDirectory("te-skew")
        let path = directory.file("leases.db")
        let store = try EmbeddedLeaseStore(path: path, options: LeaseStoreOptions(pools: Self.pools))
        let live = try await store.acquire(LeaseRequest(node: "edge-live", nodeAddress: IPAddress("192.168.7.1")!, ttl: .seconds(600)))
        let skewed = try Self.skewedAcquire(store: "file://\(path)")
        try await Self.checkLiveLeaseKept(store, live: live, skewed: skewed)
        await store.close()
    }

    @Test func etcdStoreKeepsLiveLeaseAgainstSkewedAgent() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(cluster: cluster)
            let store = try harness.openStore(pools: Self.pools)
            let live = try await store.acquire(LeaseRequest(node: "edge-live", nodeAddress: IPAddress("192.168.7.1")!, ttl: .seconds(600)))
            let skewed = try Self.skewedAcquire(store: harness.url)
            try await Self.checkLiveLeaseKept(store, live: live, skewed: skewed)
            await store.close()
        }
    }

    /// A watcher whose clock runs ahead reports no expiry of a lease etcd still holds.
    @Test func etcdWatcherDoesNotExpireByItsOwnClock() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(cluster: cluster)
            let writer = try harness.openStore(pools: Self.pools)
            _ = try await writer.acquire(LeaseRequest(node: "edge-live", nodeAddress: IPAddress("192.168.7.1")!, ttl: .seconds(600)))
            let ahead: @Sendable () -> Date = { Date().addingTimeInterval(5 * 3600) }
            let watcher = try EtcdLeaseStore(url: LeaseStoreURL(parsing: harness.url), options: LeaseStoreOptions(clock: ahead))
            let events = LeaseEventCollector(try await watcher.watch())
            _ = try await events.next("added", node: "edge-live")
            try await Task.sleep(for: .milliseconds(500))
            #expect(await events.kinds(of: "edge-live") == ["added"], "no expiry while etcd holds the lease")
            await events.stop()
            await watcher.close()
            await writer.close()
        }
    }
}
