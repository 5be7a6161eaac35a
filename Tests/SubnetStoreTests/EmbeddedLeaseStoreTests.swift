import Foundation
import NetworkCore
@testable import SubnetStore
import Testing
import TestSupport

@Suite struct EmbeddedLeaseStoreTests {
    @Test(arguments: LeaseStoreConformance.checks)
    func conformance(_ check: LeaseStoreConformance.Check) async throws {
        try await check.run(EmbeddedLeaseStoreHarness())
    }

    static let pools = [try! LeaseStoreConformance.pool("10.0.0.0/16", 24)]

    private func openError(contents: [UInt8]) async throws -> LeaseStoreError? {
        let harness = try EmbeddedLeaseStoreHarness()
        try Data(contents).write(to: URL(fileURLWithPath: harness.path))
        let store = try harness.openStore(pools: Self.pools)
        defer { Task { await store.close() } }
        return await LeaseStoreConformance.storeError { _ = try await store.list() }
    }

    @Test func foreignFileIsRefusedByName() async throws {
        let sqlite = Array("SQLite format 3\0".utf8) + [UInt8](repeating: 0, count: 84) + [0x0A]
        let error = try await openError(contents: sqlite)
        guard case .corruptRecord(let key, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(key.hasSuffix("leases.db"))
        #expect(reason.contains("not a TerwayEdge lease database"))
    }

    @Test func truncatedFileIsRefused() async throws {
        let header = Array(#"{"format":"terway-edge-leases","revision":2,"version":1}"#.utf8) + [0x0A]
        let error = try await openError(contents: header + Array(#"2 {"kind":"TerwayEdgeLease","ver"#.utf8))
        guard case .corruptRecord(_, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.contains("truncated"))
    }

    @Test func newerDatabaseVersionIsRefused() async throws {
        let error = try await openError(contents: Array(#"{"format":"terway-edge-leases","revision":2,"version":7}"#.utf8) + [0x0A])
        guard case .corruptRecord(_, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.contains("version 7"))
    }

    @Test func duplicateNodeAndBadRevisionAreRefusedWithTheirLine() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let lease = Lease(node: "edge-a", subnets: [IPPrefix("10.0.1.0/24")!], nodeAddress: IPAddress("192.168.1.1")!,
                          domain: .edge, acquiredAt: now, renewedAt: now, expiresAt: now + 60)
        let record = LeaseRecordCodec.encode(lease)
        let header = Array(#"{"format":"terway-edge-leases","revision":3,"version":1}"#.utf8) + [0x0A]
        let twice = header + Array("1 ".utf8) + record + [0x0A] + Array("2 ".utf8) + record + [0x0A]
        #expect(throws: LeaseStoreError.corruptRecord(key: "db:3", reason: "node 'edge-a' has a second lease line")) {
            try LeaseDatabase.decode(twice, path: "db")
        }
        let future = header + Array("9 ".utf8) + record + [0x0A]
        #expect(throws: LeaseStoreError.corruptRecord(key: "db:2", reason: "revision 9 is outside 1...3, the file's revision")) {
            try LeaseDatabase.decode(future, path: "db")
        }
    }

    @Test func databaseRoundTripsThroughItsFileFormat() throws {
        var database = LeaseDatabase()
        let now = Date(timeIntervalSince1970: 1_800_000_000.123)
        let leases = (0..<5).map { index in
            Lease(node: "edge-\(index)", subnets: [IPPrefix("10.0.\(index).0/24")!], nodeAddress: IPAddress("192.168.1.\(index + 1)")!,
                  domain: index.isMultiple(of: 2) ? .edge : .cloud, acquiredAt: now, renewedAt: now, expiresAt: now + 60,
                  backendData: ["bgp.router-id": "10.0.\(index).1"])
        }
        _ = database.commit(puts: Array(leases[0..<3]))
        _ = database.commit(puts: Array(leases[3...]), deletes: ["edge-1"])
        let decoded = try LeaseDatabase.decode(database.encoded(), path: "db")
        #expect(decoded == database)
        #expect(decoded.revision == 2)
        #expect(decoded.leases.map(\.node) == ["edge-0", "edge-2", "edge-3", "edge-4"])
        #expect(decoded.lease(of: "edge-3")?.revision == 2 && decoded.lease(of: "edge-0")?.revision == 1)
    }

    @Test func writeFailureLeavesTheFileAsItWas() async throws {
        try requireRoot()   // chmod does not stop root, so the failure is made with a directory in the way
        let harness = try EmbeddedLeaseStoreHarness()
        let store = try harness.openStore(pools: Self.pools)
        _ = try await store.acquire(LeaseStoreConformance.request("edge-a"))
        let before = try Data(contentsOf: URL(fileURLWithPath: harness.path))
        try FileManager.default.createDirectory(atPath: harness.path + ".tmp", withIntermediateDirectories: false)
        let error = await LeaseStoreConformance.storeError { _ = try await store.acquire(LeaseStoreConformance.request("edge-b")) }
        guard case .unavailable(_, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.contains("open failed"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: harness.path)) == before)
        #expect(try await store.list().map(\.node) == ["edge-a"])
        try FileManager.default.removeItem(atPath: harness.path + ".tmp")
        #expect(try await store.acquire(LeaseStoreConformance.request("edge-b")).node == "edge-b")
        await store.close()
    }

    @Test func staleTemporaryFileFromACrashIsIgnored() async throws {
        let harness = try EmbeddedLeaseStoreHarness()
        let store = try harness.openStore(pools: Self.pools)
        let a = try await store.acquire(LeaseStoreConformance.request("edge-a"))
        try Data("half a write".utf8).write(to: URL(fileURLWithPath: harness.path + ".tmp"))
        let reopened = try harness.openStore(pools: Self.pools)
        #expect(try await reopened.list() == [a])
        _ = try await reopened.acquire(LeaseStoreConformance.request("edge-b"))
        #expect(try await store.list().map(\.node) == ["edge-a", "edge-b"])
        await store.close()
        await reopened.close()
    }

    @Test func storeURLOpensTheFile() async throws {
        let harness = try EmbeddedLeaseStoreHarness()
        let store = try await LeaseStoreFactory.open(url: "file://\(harness.path)", options: LeaseStoreOptions(pools: Self.pools))
        _ = try await store.acquire(LeaseStoreConformance.request("edge-a"))
        #expect(FileManager.default.fileExists(atPath: harness.path))
        await store.close()
        let closed = await LeaseStoreConformance.storeError { _ = try await store.list() }
        #expect(closed == .closed)
        let relative = await LeaseStoreConformance.storeError { _ = try await LeaseStoreFactory.open(url: "file://leases.db", options: LeaseStoreOptions()) }
        guard case .badConfiguration = relative else { Issue.record("got \(String(describing: relative))"); return }
    }

    @Test func readOnlyStoreRefusesToAcquire() async throws {
        let harness = try EmbeddedLeaseStoreHarness()
        let store = try EmbeddedLeaseStore(path: harness.path, options: LeaseStoreOptions())
        let error = await LeaseStoreConformance.storeError { _ = try await store.acquire(LeaseStoreConformance.request("edge-a")) }
        guard case .badConfiguration = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(try await store.list().isEmpty)
    }
}
