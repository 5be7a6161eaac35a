import Foundation
import NetworkCore
@testable import SubnetStore
import Testing
import TestSupport

/// Damaged records and database files must give a `LeaseStoreError` or a valid value: never a
/// trap. Deterministic damage (seeded), so a failure replays.
@Suite struct DamagedInputTests {
    @Test func damagedRecordsNeverTrap() {
        var generator = SeededGenerator(seed: 1)
        let record = LeaseRecordCodec.encode(LeaseRecordCodecTests.lease)
        var refused = 0
        for _ in 0..<2000 {
            var bytes = record
            for _ in 0..<Int.random(in: 1...3, using: &generator) { bytes = damaged(bytes, using: &generator) }
            do {
                let lease = try LeaseRecordCodec.decode(bytes, key: "k", revision: 1)
                #expect(throws: Never.self) { try LeaseLimits.validateNodeName(lease.node) }
            } catch {
                refused += 1
            }
        }
        #expect(refused > 1500, "most damage is caught; \(refused) of 2000 refused")
    }

    @Test func damagedDatabaseFilesNeverTrap() {
        var generator = SeededGenerator(seed: 2)
        var database = LeaseDatabase()
        var file = database.compacted()
        for index in 0..<4 { file += database.commit(puts: [EmbeddedLeaseStoreTests.lease(index)]).lines }
        file += database.commit(puts: [], deletes: ["edge-1"]).lines
        for _ in 0..<1500 {
            let bytes = damaged(file, using: &generator)
            if let decoded = try? LeaseDatabase.decode(bytes, path: "db") {
                // Whatever survives is a subset of real states: no invented leases.
                #expect(decoded.leases.allSatisfy { lease in (0..<4).map(EmbeddedLeaseStoreTests.lease).contains { $0.node == lease.node } })
            }
        }
    }
}
