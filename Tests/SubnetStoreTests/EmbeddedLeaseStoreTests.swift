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

    static let now = Date(timeIntervalSince1970: 1_800_000_000.123)

    static func lease(_ index: Int) -> Lease {
        Lease(node: "edge-\(index)", subnets: [IPPrefix("10.0.\(index).0/24")!], nodeAddress: IPAddress("192.168.1.\(index + 1)")!,
              domain: index.isMultiple(of: 2) ? .edge : .cloud, acquiredAt: now, renewedAt: now, expiresAt: now + 60,
              backendData: ["bgp.router-id": "10.0.\(index).1"])
    }

    @Test func newerDatabaseVersionIsRefused() async throws {
        let error = try await openError(contents: Array(#"{"format":"terway-edge-leases","generation":"1","revision":2,"version":7}"#.utf8) + [0x0A])
        guard case .corruptRecord(_, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.contains("version 7"))
    }

    @Test func logRoundTripsThroughSnapshotAndAppends() throws {
        var database = LeaseDatabase()
        var file = database.compacted()
        file += database.commit(puts: (0..<3).map(Self.lease)).lines
        file += database.commit(puts: [Self.lease(3), Self.lease(4)], deletes: ["edge-1"]).lines
        let decoded = try LeaseDatabase.decode(file, path: "db")
        #expect(decoded.leases == database.leases)
        #expect(decoded.revision == 2 && decoded.lineCount == 6 && decoded.consumed == file.count)
        #expect(decoded.leases.map(\.node) == ["edge-0", "edge-2", "edge-3", "edge-4"])
        #expect(decoded.lease(of: "edge-3")?.revision == 2 && decoded.lease(of: "edge-0")?.revision == 1)
        // Compacting keeps the leases and their revisions, and drops the history.
        var compacted = decoded
        let snapshot = compacted.compacted()
        let reread = try LeaseDatabase.decode(snapshot, path: "db")
        #expect(reread.leases == decoded.leases && reread.lineCount == 4 && reread.revision == 2)
        #expect(reread.generation != decoded.generation)
    }

    @Test(arguments: [40, -3])   // cut short without a newline; cut short and ended by one
    func aTornFinalAppendIsIgnoredAndCutByTheNextWriter(cut: Int) async throws {
        let harness = try EmbeddedLeaseStoreHarness()
        let store = try harness.openStore(pools: Self.pools)
        let a = try await store.acquire(LeaseStoreConformance.request("edge-a"))
        let line = LeaseDatabase.line(revision: 2, payload: LeaseRecordCodec.encode(Self.lease(7)))
        let torn = cut > 0 ? Array(line.prefix(cut)) : Array(line.dropLast(-cut)) + [0x0A]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: harness.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: torn)
        try handle.close()
        let other = try harness.openStore(pools: Self.pools)
        #expect(try await other.list() == [a])
        let b = try await other.acquire(LeaseStoreConformance.request("edge-b"))
        #expect(try await store.list() == [a, b])
        #expect(try LeaseDatabase.decode(Array(Data(contentsOf: URL(fileURLWithPath: harness.path))), path: "db").leases == [a, b])
        await other.close()
        await store.close()
    }

    @Test func aDamagedLineBeforeTheEndIsCorruption() throws {
        var database = LeaseDatabase()
        var file = database.compacted()
        file += database.commit(puts: [Self.lease(0)]).lines
        file += database.commit(puts: [Self.lease(1)]).lines
        let at = file.firstIndex(of: UInt8(ascii: "L"))!   // "TerwayEdgeLease" of the first record
        file[at] = UInt8(ascii: "l")
        #expect(throws: LeaseStoreError.corruptRecord(key: "db:2", reason: "checksum mismatch: the line was changed or only partly written")) {
            try LeaseDatabase.decode(file, path: "db")
        }
    }

    @Test func theLogIsCompactedWhenItOutgrowsTheLeases() async throws {
        let harness = try EmbeddedLeaseStoreHarness()
        let writer = try harness.openStore(pools: Self.pools)
        let reader = try harness.openStore(pools: Self.pools)
        _ = try await writer.acquire(LeaseStoreConformance.request("edge-a"))
        #expect(try await reader.list().count == 1)   // the reader caches this generation
        for _ in 0..<300 { _ = try await writer.renew(node: "edge-a", ttl: .seconds(600)) }
        let lines = try String(contentsOfFile: harness.path, encoding: .utf8).split(separator: "\n").count
        #expect(lines < 70, "300 renewals of one lease left \(lines) lines")
        #expect(try await reader.list() == (try await writer.list()))
        #expect(try await reader.get(node: "edge-a")?.revision == 301)
        await writer.close()
        await reader.close()
    }

    @Test func writeFailureLeavesTheStoreAsItWas() async throws {
        let harness = try EmbeddedLeaseStoreHarness()
        let store = try harness.openStore(pools: Self.pools)
        // The first write creates the file through `<file>.tmp`; a folder in the way fails it.
        try FileManager.default.createDirectory(atPath: harness.path + ".tmp", withIntermediateDirectories: false)
        let error = await LeaseStoreConformance.storeError { _ = try await store.acquire(LeaseStoreConformance.request("edge-a")) }
        guard case .unavailable(_, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.contains("open failed"))
        #expect(!FileManager.default.fileExists(atPath: harness.path))
        #expect(try await store.list().isEmpty)
        try FileManager.default.removeItem(atPath: harness.path + ".tmp")
        #expect(try await store.acquire(LeaseStoreConformance.request("edge-a")).node == "edge-a")
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

/// Issue 16 item 9: the file is replaced by an older copy (a backup restored): its revision
/// goes backwards. Watchers must report the restored state and every write after it.
@Suite struct EmbeddedLeaseStoreGenerationTests {
    @Test func watchersFollowARestoredBackup() async throws {
        let harness = try EmbeddedLeaseStoreHarness()
        let writer = try harness.openStore(pools: EmbeddedLeaseStoreTests.pools)
        let watcher = try harness.openStore(pools: [])
        _ = try await writer.acquire(LeaseStoreConformance.request("edge-a"))
        let backup = harness.directory.file("backup.db")
        try FileManager.default.copyItem(atPath: harness.path, toPath: backup)
        _ = try await writer.acquire(LeaseStoreConformance.request("edge-b"))
        _ = try await writer.acquire(LeaseStoreConformance.request("edge-c"))
        let events = LeaseEventCollector(try await watcher.watch())
        _ = try await events.next("added", node: "edge-c")
        #expect(rename(backup, harness.path) == 0)
        _ = try await events.next("deleted", node: "edge-b")
        _ = try await events.next("deleted", node: "edge-c")
        _ = try await writer.acquire(LeaseStoreConformance.request("edge-d"))
        _ = try await events.next("added", node: "edge-d")
        await events.stop()
        await watcher.close()
        await writer.close()
    }
}
