import Foundation
import NetworkCore
import SubnetStore
import Testing

/// The behaviour every `LeaseStore` must show, written once and run by each store's tests:
///
/// ```swift
/// @Test(arguments: LeaseStoreConformance.checks)
/// func conformance(_ check: LeaseStoreConformance.Check) async throws {
///     try await check.run(MyHarness())
/// }
/// ```
enum LeaseStoreConformance {
    struct Check: Sendable, CustomTestStringConvertible {
        let name: String
        let body: @Sendable (any LeaseStoreHarness) async throws -> Void
        var testDescription: String { name }

        func run(_ harness: some LeaseStoreHarness) async throws { try await body(harness) }
    }

    static let checks: [Check] = [
        Check(name: "acquire is idempotent", body: acquireIsIdempotent),
        Check(name: "nodes get distinct subnets", body: nodesGetDistinctSubnets),
        Check(name: "concurrent clients get distinct subnets", body: concurrentClients),
        Check(name: "dual stack leases one subnet per family", body: dualStack),
        Check(name: "a node that comes back gets its old subnet", body: comeBackGetsOldSubnet),
        Check(name: "renew extends a live lease only", body: renewExtends),
        Check(name: "release frees the subnet", body: releaseFreesSubnet),
        Check(name: "exhaustion names the block", body: exhaustion),
        Check(name: "expired leases are reclaimed", body: expiryReclaim),
        Check(name: "watch reports every change", body: watchReportsChanges),
        Check(name: "a corrupt record is a clear error", body: corruptRecord),
        Check(name: "a foreign record is a clear error", body: foreignRecord),
        Check(name: "an invalid request changes nothing", body: invalidRequest),
        Check(name: "a record over the size limit is refused when written", body: oversizedRecord),
        Check(name: "a second machine with the same node name is refused, acquiring and renewing", body: secondOwner),
    ]

    // MARK: - Fixtures

    static func pool(_ cidr: String, _ length: Int, reserved: [String] = []) throws -> NodeSubnetAllocator {
        try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: cidr), subnetLength: length,
                                reserved: reserved.map { try IPPrefix(parsing: $0) })
    }

    static func request(_ node: String, ttl: Duration = .seconds(600), data: [String: String] = [:]) -> LeaseRequest {
        LeaseRequest(node: node, nodeAddress: IPAddress("192.168.10.5")!,
                     domain: .edge, ttl: ttl, backendData: data)
    }

    /// The `LeaseStoreError` `body` throws; records an issue when it throws something else or nothing.
    static func storeError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> LeaseStoreError? {
        do {
            try await body()
            Issue.record("expected a LeaseStoreError, nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as LeaseStoreError {
            return error
        } catch {
            Issue.record("expected a LeaseStoreError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    // MARK: - Checks

    static func acquireIsIdempotent(_ harness: any LeaseStoreHarness) async throws {
        let store = try await harness.openStore(pools: [pool("10.0.0.0/16", 24)])
        let first = try await store.acquire(request("edge-1", data: ["bgp.router-id": "10.0.0.1"]))
        let second = try await store.acquire(request("edge-1", data: ["bgp.router-id": "10.0.0.1"]))
        #expect(first.subnets == second.subnets)
        #expect(first.acquiredAt == second.acquiredAt)
        #expect(second.revision > first.revision)
        #expect(second.expiresAt >= first.expiresAt)
        #expect(second.backendData == ["bgp.router-id": "10.0.0.1"])
        #expect(try await store.list().map(\.node) == ["edge-1"])
        #expect(try await store.get(node: "edge-1") == second)
        await store.close()
    }

    static func nodesGetDistinctSubnets(_ harness: any LeaseStoreHarness) async throws {
        let allocator = try pool("10.0.0.0/20", 24)
        let store = try await harness.openStore(pools: [allocator])
        var subnets: [IPPrefix] = []
        for index in 0..<10 {
            subnets += try await store.acquire(request("edge-\(index)")).subnets
        }
        #expect(Set(subnets).count == 10)
        #expect(subnets.allSatisfy(allocator.accepts))
        for (i, a) in subnets.enumerated() {
            for b in subnets[(i + 1)...] { #expect(!a.overlaps(b), "\(a) overlaps \(b)") }
        }
        #expect(try await store.list().count == 10)
        await store.close()
    }

    static func concurrentClients(_ harness: any LeaseStoreHarness) async throws {
        let pools = [try pool("10.0.0.0/19", 24)]   // 32 subnets for 24 nodes: little slack
        var clients: [any LeaseStore] = []
        for _ in 0..<4 { clients.append(try await harness.openStore(pools: pools)) }
        let leases = try await withThrowingTaskGroup(of: Lease.self) { group in
            for index in 0..<24 {
                let client = clients[index % clients.count]
                group.addTask { try await client.acquire(request("edge-\(index)")) }
            }
            return try await group.reduce(into: [Lease]()) { $0.append($1) }
        }
        #expect(Set(leases.flatMap(\.subnets)).count == 24, "every node holds its own subnet")
        #expect(Set(try await clients[0].list().flatMap(\.subnets)) == Set(leases.flatMap(\.subnets)))
        for client in clients { await client.close() }
    }

    static func dualStack(_ harness: any LeaseStoreHarness) async throws {
        let store = try await harness.openStore(pools: [pool("fd00:10::/56", 64), pool("10.0.0.0/16", 24)])
        let a = try await store.acquire(request("edge-a"))
        let b = try await store.acquire(request("edge-b"))
        #expect(a.subnets.map(\.family) == [.v4, .v6])
        #expect(a.subnet(of: .v6)?.length == 64 && a.subnet(of: .v4)?.length == 24)
        #expect(a.subnet(of: .v4) != b.subnet(of: .v4) && a.subnet(of: .v6) != b.subnet(of: .v6))
        await store.close()
    }

    static func comeBackGetsOldSubnet(_ harness: any LeaseStoreHarness) async throws {
        let pools = [try pool("10.0.0.0/16", 24)]
        let before = try await harness.openStore(pools: pools)
        let a = try await before.acquire(request("edge-a"))
        _ = try await before.acquire(request("edge-b"))
        await before.close()
        // The agent restarts: a new client, the same backend.
        let after = try await harness.openStore(pools: pools)
        _ = try await after.acquire(request("edge-c"))
        let again = try await after.acquire(request("edge-a"))
        #expect(again.subnets == a.subnets)
        #expect(again.acquiredAt == a.acquiredAt)
        await after.close()
    }

    static func renewExtends(_ harness: any LeaseStoreHarness) async throws {
        let store = try await harness.openStore(pools: [pool("10.0.0.0/16", 24)])
        let lease = try await store.acquire(request("edge-a", ttl: .seconds(60)))
        try await Task.sleep(for: .milliseconds(20))
        let renewed = try await store.renew(node: "edge-a", ttl: .seconds(600))
        #expect(renewed.subnets == lease.subnets)
        #expect(renewed.expiresAt > lease.expiresAt)
        #expect(renewed.revision > lease.revision)
        #expect(try await store.get(node: "edge-a") == renewed)
        let missing = await storeError { _ = try await store.renew(node: "edge-zz", ttl: .seconds(60)) }
        #expect(missing == .notFound(node: "edge-zz"))
        await store.close()
    }

    static func releaseFreesSubnet(_ harness: any LeaseStoreHarness) async throws {
        let store = try await harness.openStore(pools: [pool("10.0.0.0/24", 24)])
        let a = try await store.acquire(request("edge-a"))
        let released = try await store.release(node: "edge-a")
        #expect(released?.subnets == a.subnets)
        #expect(try await store.get(node: "edge-a") == nil)
        #expect(try await store.release(node: "edge-a") == nil)
        // The only subnet of the pool is free again.
        #expect(try await store.acquire(request("edge-b")).subnets == a.subnets)
        await store.close()
    }

    static func exhaustion(_ harness: any LeaseStoreHarness) async throws {
        let block = try IPPrefix(parsing: "10.0.0.0/22")
        let store = try await harness.openStore(pools: [pool("10.0.0.0/22", 24, reserved: ["10.0.2.0/24"])])
        for node in ["edge-a", "edge-b", "edge-c"] { _ = try await store.acquire(request(node)) }
        let error = await storeError { _ = try await store.acquire(request("edge-d")) }
        #expect(error == .exhausted(block: block, subnetLength: 24, capacity: 4, reserved: 1, leased: 3))
        #expect(error?.description.contains("10.0.0.0/22") == true)
        #expect(try await store.get(node: "edge-d") == nil)
        // The holders are unaffected and still get theirs.
        #expect(try await store.acquire(request("edge-a")).subnets.count == 1)
        await store.close()
    }

    static func expiryReclaim(_ harness: any LeaseStoreHarness) async throws {
        let store = try await harness.openStore(pools: [pool("10.0.0.0/23", 24)])
        let short = try await store.acquire(request("edge-short", ttl: harness.shortTTL))
        _ = try await store.acquire(request("edge-long"))
        do {
            _ = try await store.acquire(request("edge-new"))
            // Legitimate only when this (busy) machine took longer than the short TTL.
            #expect(Date() >= short.expiresAt, "edge-new got a subnet while both subnets were leased")
        } catch let error as LeaseStoreError {
            guard case .exhausted = error else { Issue.record("expected exhaustion while the short lease lives, got \(error)"); return }
            try await Task.sleep(for: harness.shortTTL + harness.expirySlack)
            let renewLate = await storeError { _ = try await store.renew(node: "edge-short", ttl: .seconds(60)) }
            #expect(renewLate == .leaseExpired(node: "edge-short") || renewLate == .notFound(node: "edge-short"))
            _ = try await store.acquire(request("edge-new"))
        }
        #expect(try await store.get(node: "edge-new")?.subnets == short.subnets, "the expired subnet was reclaimed")
        #expect(try await store.get(node: "edge-short") == nil)
        await store.close()
    }

    static func watchReportsChanges(_ harness: any LeaseStoreHarness) async throws {
        let pools = [try pool("10.0.0.0/16", 24)]
        let writer = try await harness.openStore(pools: pools)
        let watcher = try await harness.openStore(pools: pools)
        _ = try await writer.acquire(request("edge-a"))
        let events = LeaseEventCollector(try await watcher.watch())
        _ = try await events.next("added", node: "edge-a")   // the snapshot
        let b = try await writer.acquire(request("edge-b"))
        #expect(try await events.next("added", node: "edge-b").lease.subnets == b.subnets)
        _ = try await writer.renew(node: "edge-a", ttl: .seconds(900))
        _ = try await events.next("renewed", node: "edge-a")
        _ = try await writer.acquire(request("edge-a", data: ["bgp.router-id": "10.9.9.9"]))
        #expect(try await events.next("changed", node: "edge-a").lease.backendData == ["bgp.router-id": "10.9.9.9"])
        try await writer.release(node: "edge-b")
        _ = try await events.next("deleted", node: "edge-b")
        // A change through the watching client itself shows as well.
        _ = try await watcher.acquire(request("edge-short", ttl: harness.shortTTL))
        _ = try await events.next("added", node: "edge-short")
        _ = try await events.next("expired", node: "edge-short", timeout: harness.shortTTL + harness.expirySlack + .seconds(3))
        await events.stop()
        await watcher.close()
        await writer.close()
    }

    /// Issue 16 item 2: a record no reader can decode is skipped and reported by list and
    /// watch, never fatal to them; reading that node names the problem; acquiring either
    /// refuses (the store cannot know its subnets) or keeps clear of them (etcd's subnet keys).
    static func corruptRecord(_ harness: any LeaseStoreHarness) async throws {
        try await checkSkipped(harness, record: #"{"kind":"TerwayEdgeLease","version":1,"node":"edge-b","subnets":["10.0.7.5/24"]"#) { _ in }
    }

    static func foreignRecord(_ harness: any LeaseStoreHarness) async throws {
        try await checkSkipped(harness, record: #"{"apiVersion":"v1","kind":"ConfigMap","node":"edge-b"}"#) { reason in
            #expect(reason.contains("ConfigMap"), "the reason names what was found: \(reason)")
        }
    }

    static func checkSkipped(_ harness: any LeaseStoreHarness, record: String, reason check: (String) -> Void) async throws {
        let reports = LeaseReportCollector()
        let store = try await harness.openStore(pools: [pool("10.0.0.0/16", 24)], report: reports.sink)
        let a = try await store.acquire(request("edge-a"))
        try await harness.writeRawRecord(node: "edge-b", bytes: Array(record.utf8))
        #expect(try await store.list() == [a], "the readable lease is listed, the other skipped")
        guard case .corruptRecord(let key, let reason) = reports.skipped.first else { Issue.record("no skipped record reported: \(reports.all)"); return }
        #expect(key.contains("edge-b") || key.contains("leases.db"), "\(key)")
        check(reason)
        let events = LeaseEventCollector(try await store.watch())
        #expect(try await events.next("added", node: "edge-a").lease == a)
        // Reading that node names the problem, or finds nothing when the record does not
        // even say which node it is (a damaged line of the embedded file).
        do {
            #expect(try await store.get(node: "edge-b") == nil)
        } catch LeaseStoreError.corruptRecord {
        }
        do {
            let c = try await store.acquire(request("edge-c"))
            #expect(!c.subnets[0].overlaps(IPPrefix("10.0.7.0/24")!) || !record.contains("10.0.7"), "kept clear of the unreadable record's subnet")
        } catch LeaseStoreError.corruptRecord {
            // Refusing is right too: the store cannot tell which subnets that record holds.
        }
        await events.stop()
        await store.close()
    }

    static func invalidRequest(_ harness: any LeaseStoreHarness) async throws {
        let store = try await harness.openStore(pools: [pool("10.0.0.0/16", 24)])
        let error = await storeError { _ = try await store.acquire(request("Edge_1")) }
        guard case .invalidRequest(let node, _) = error else { Issue.record("expected invalidRequest, got \(String(describing: error))"); return }
        #expect(node == "Edge_1")
        let badData = await storeError { _ = try await store.acquire(request("edge-1", data: ["bad key": "x"])) }
        guard case .invalidRequest = badData else { Issue.record("expected invalidRequest, got \(String(describing: badData))"); return }
        #expect(try await store.list().isEmpty)
        await store.close()
    }

    /// Two machines using one node name (a cloned image): the second is refused, by name.
    static func secondOwner(_ harness: any LeaseStoreHarness) async throws {
        let store = try await harness.openStore(pools: [pool("10.0.0.0/16", 24)])
        var request = request("edge-1")
        request.owner = "3d1219c7c4c5404aaa1f6d2a48adfd01"
        let first = try await store.acquire(request)
        #expect(first.owner == request.owner)
        #expect(try await store.get(node: "edge-1")?.owner == request.owner)
        var clone = request
        clone.owner = "9f0c1219c7c4c5404aaa1f6d2a48adfd"
        let error = await storeError { _ = try await store.acquire(clone) }
        #expect(error == .ownedElsewhere(node: "edge-1", owner: request.owner, requester: clone.owner))
        #expect(error?.description.contains(request.owner) == true && error?.description.contains(clone.owner) == true)
        // Nor does the clone keep the other machine's lease alive by renewing it.
        let renewal = await storeError { _ = try await store.renew(node: "edge-1", ttl: .seconds(900), owner: clone.owner) }
        #expect(renewal == .ownedElsewhere(node: "edge-1", owner: request.owner, requester: clone.owner))
        #expect(try await store.get(node: "edge-1")?.expiresAt == first.expiresAt, "the refused renewal wrote nothing")
        #expect(try await store.renew(node: "edge-1", ttl: .seconds(900), owner: request.owner).owner == request.owner)
        #expect(try await store.acquire(request).subnets == first.subnets, "the owner itself carries on")
        await store.close()
    }

    /// Issue 16 item 2: the largest backend data the field limits allow makes a record no
    /// reader would load; the write is refused with the limit named, and nothing is stored.
    static func oversizedRecord(_ harness: any LeaseStoreHarness) async throws {
        let store = try await harness.openStore(pools: [pool("10.0.0.0/16", 24)])
        let big = Dictionary(uniqueKeysWithValues: (0..<LeaseLimits.maxBackendEntries).map {
            ("key-\($0)", String(repeating: "v", count: LeaseLimits.maxBackendValueLength))
        })
        let error = await storeError { _ = try await store.acquire(request("edge-big", data: big)) }
        guard case .invalidRequest(_, let reason) = error else { Issue.record("expected invalidRequest, got \(String(describing: error))"); return }
        #expect(reason.contains("\(LeaseRecordCodec.maxRecordSize)"), "\(reason)")
        #expect(try await store.list().isEmpty)
        await store.close()
    }
}
