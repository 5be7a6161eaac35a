import Foundation
import NetworkCore
@testable import SubnetStore
import Testing

/// Damaged records and database files must give a `LeaseStoreError` or a valid value: never a
/// trap. Deterministic damage (seeded), so a failure replays.
@Suite struct DamagedInputTests {
    /// SplitMix64: a seeded generator, so every run damages the same bytes.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    static func damaged(_ bytes: [UInt8], _ generator: inout SeededGenerator) -> [UInt8] {
        var copy = bytes
        guard !copy.isEmpty else { return [UInt8.random(in: 0...255, using: &generator)] }
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: copy = Array(copy.prefix(Int.random(in: 0..<copy.count, using: &generator)))
        case 1: copy[Int.random(in: 0..<copy.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
        case 2: copy.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...copy.count, using: &generator))
        default: copy.remove(at: Int.random(in: 0..<copy.count, using: &generator))
        }
        return copy
    }

    @Test func damagedRecordsNeverTrap() {
        var generator = SeededGenerator(state: 1)
        let record = LeaseRecordCodec.encode(LeaseRecordCodecTests.lease)
        var refused = 0
        for _ in 0..<2000 {
            var bytes = record
            for _ in 0..<Int.random(in: 1...3, using: &generator) { bytes = Self.damaged(bytes, &generator) }
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
        var generator = SeededGenerator(state: 2)
        var database = LeaseDatabase()
        var file = database.compacted()
        for index in 0..<4 { file += database.commit(puts: [EmbeddedLeaseStoreTests.lease(index)]).lines }
        file += database.commit(puts: [], deletes: ["edge-1"]).lines
        for _ in 0..<1500 {
            let bytes = Self.damaged(file, &generator)
            if let decoded = try? LeaseDatabase.decode(bytes, path: "db") {
                // Whatever survives is a subset of real states: no invented leases.
                #expect(decoded.leases.allSatisfy { lease in (0..<4).map(EmbeddedLeaseStoreTests.lease).contains { $0.node == lease.node } })
            }
        }
    }
}
