import Agent
import CNIProtocol
import Foundation
import Logging
import NetworkCore
import ServiceLifecycle
import SubnetStore
import Synchronization
import Testing
import TestSupport

/// The lease and subnet-file services against the embedded store, in-process.
@Suite struct LeaseServiceTests {
    final class Clock: Sendable {
        let offset = Mutex<TimeInterval>(0)
        func now() -> Date { Date() + offset.withLock { $0 } }
    }

    static func open(_ directory: TemporaryDirectory, clock: Clock) throws -> EmbeddedLeaseStore {
        try EmbeddedLeaseStore(path: directory.file("leases.db"), options: LeaseStoreOptions(
            // Lowest-free, so that the test knows which subnets edge-1 gets.
            pools: [try NodeSubnetAllocator(clusterCIDR: IPPrefix("10.0.0.0/16")!, subnetLength: 24, strategy: .lowestFree),
                    try NodeSubnetAllocator(clusterCIDR: IPPrefix("fd00:a::/48")!, subnetLength: 64, strategy: .lowestFree)],
            clock: { clock.now() }))
    }

    /// Runs the two services until `body` returns, then shuts the group down gracefully.
    static func withServices(store: any LeaseStore, ttl: Duration, subnetFile: String,
                             _ body: @Sendable (Broadcast<Lease?>) async throws -> Void) async throws {
        let lease = Broadcast<Lease?>(nil)
        let logger = Logger(label: "test")
        let request = LeaseRequest(node: "edge-1", nodeAddress: IPAddress("172.16.1.20")!, ttl: ttl)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            LeaseService(store: store, request: request, lease: lease, logger: logger, retryDelay: .milliseconds(100)),
            SubnetFileService(path: subnetFile, lease: lease, logger: logger),
        ], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(lease)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// The first lease held that satisfies `condition`; the bound only ends a hang.
    static func next(_ lease: Broadcast<Lease?>, within seconds: Double = 60, where condition: @escaping (Lease) -> Bool) async -> Lease? {
        let deadline = Date() + seconds
        while Date() < deadline {
            if let held = lease.value, condition(held) { return held }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test func acquiresBothFamiliesWritesTheSubnetFileRenewsAndNeverReleases() async throws {
        let directory = try TemporaryDirectory("te-agent-lease")
        let clock = Clock()
        let store = try Self.open(directory, clock: clock)
        let path = directory.file("run/subnet.json")
        try await Self.withServices(store: store, ttl: .seconds(6), subnetFile: path) { lease in
            let first = try #require(await Self.next(lease) { _ in true })
            #expect(first.subnets == [IPPrefix("10.0.0.0/24")!, IPPrefix("fd00:a::/64")!])
            // Renewed every third of the TTL, each renewal before the lease it renews expires,
            // until one made 1.5 TTLs after the first (long past the first one's expiry).
            // Waited for, not slept for: a loaded machine is slow, and the TTL leaves a stall
            // of 4 s before a lapse.
            var held = first, lapses: [String] = []
            let renewed = try #require(await Self.next(lease) { current in
                if current.renewedAt > held.expiresAt { lapses.append("renewed at \(current.renewedAt), expired at \(held.expiresAt)") }
                held = current
                return current.expiresAt.timeIntervalSince(first.expiresAt) >= 9
            })
            #expect(lapses.isEmpty, "the lease lapsed: \(lapses)")
            #expect(renewed.acquiredAt == first.acquiredAt && renewed.subnets == first.subnets)
            let file = try SubnetFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path)
            #expect(file.subnets == first.subnets)
        }
        // A stop keeps the lease in the store; the next run gets the same subnets.
        let kept = try #require(try await store.get(node: "edge-1"))
        #expect(kept.subnets == [IPPrefix("10.0.0.0/24")!, IPPrefix("fd00:a::/64")!])
        try await Self.withServices(store: store, ttl: .seconds(30), subnetFile: path) { lease in
            #expect(await Self.next(lease) { _ in true }?.subnets == kept.subnets)
        }
        await store.close()
    }

    /// A lease that lapsed (the renewal came too late) is acquired again, with the same
    /// subnets while nobody else took them.
    @Test func reacquiresAfterExpiryKeepingTheSubnet() async throws {
        let directory = try TemporaryDirectory("te-agent-lease")
        let clock = Clock()
        let store = try Self.open(directory, clock: clock)
        try await Self.withServices(store: store, ttl: .seconds(3), subnetFile: directory.file("subnet.json")) { lease in
            let first = try #require(await Self.next(lease) { _ in true })
            clock.offset.withLock { $0 = 10 }
            let again = try #require(await Self.next(lease) { $0.expiresAt.timeIntervalSince(first.expiresAt) > 5 })
            #expect(again.subnets == first.subnets)
        }
        await store.close()
    }
}
