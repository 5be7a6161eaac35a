import NetworkCore
import SubnetStore
import Testing
import TestSupport

/// The in-memory fake keeps the store contract the layers above rely on.
@Suite struct MemoryLeaseStoreTests {
    static let pool = try! NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: "10.0.0.0/16"), subnetLength: 24)

    static func request(_ node: String) -> LeaseRequest {
        LeaseRequest(node: node, nodeAddress: IPAddress("192.168.10.5")!, ttl: .seconds(60))
    }

    @Test func acquireIsIdempotentAndNodesGetDistinctSubnets() async throws {
        let store = try MemoryLeaseStore(options: LeaseStoreOptions(pools: [Self.pool]))
        let first = try await store.acquire(Self.request("edge-1"))
        let again = try await store.acquire(Self.request("edge-1"))
        let other = try await store.acquire(Self.request("edge-2"))
        #expect(again.subnets == first.subnets)
        #expect(!other.subnets[0].overlaps(first.subnets[0]))
        #expect(try await store.list().map(\.node) == ["edge-1", "edge-2"])
    }

    @Test func watchSeesTheSnapshotThenChanges() async throws {
        let store = try MemoryLeaseStore(options: LeaseStoreOptions(pools: [Self.pool]))
        _ = try await store.acquire(Self.request("edge-1"))
        var events = try await store.watch().makeAsyncIterator()
        #expect(try await events.next()?.kind == "added")
        try await store.release(node: "edge-1")
        let deleted = try await events.next()
        #expect(deleted?.kind == "deleted" && deleted?.lease.node == "edge-1")
        await store.close()
        await #expect(throws: LeaseStoreError.closed) { try await store.list() }
    }
}
