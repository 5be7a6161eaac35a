@testable import BGPCore
import Testing
import TestSupport

/// The RIB's own hash map and path chains against Swift's Dictionary as the reference,
/// under random inserts and removals (backward-shift deletion is where such maps go wrong).
@Suite("RIB: prefix map")
struct RIBPrefixTableTests {
    @Test func randomOperationsMatchDictionary() {
        var generator = SeededGenerator(seed: 42)
        var map = PrefixMap<IPv4NLRI>()
        var reference: [IPv4NLRI: UInt32] = [:]
        for step in 0..<60_000 {
            // A small key space so removals hit often and probe runs wrap around.
            let key = IPv4NLRI(address: UInt32(generator.next() % 3000) << 8, length: 24)!
            if generator.next() % 3 == 0 {
                if let slot = map.slot(of: key) { map.remove(at: slot) }
                reference[key] = nil
            } else if let slot = map.slot(of: key) {
                map.setValue(UInt32(step), at: slot)
                reference[key] = UInt32(step)
            } else {
                map.insertNew(key, UInt32(step))
                reference[key] = UInt32(step)
            }
        }
        #expect(map.count == reference.count)
        for (key, value) in reference { #expect(map[key] == value) }
        let occupied = (0..<map.capacity).filter { map.isOccupied($0) }.map { map.key(at: $0) }
        #expect(Set(occupied) == Set(reference.keys))
    }

    @Test func attributeSetsInternOnceAndFreeCleanly() {
        var table = AttributeTable()
        let sets = (0..<5000).map { PathAttributes(origin: .igp, asPath: ASPath(sequence: [65001, UInt32($0)])) }
        let ids = sets.map { table.intern($0, references: 2) }
        #expect(Set(ids).count == 5000 && table.count == 5000)
        #expect(sets.map { table.intern($0, references: 0) } == ids)
        var generator = SeededGenerator(seed: 7)
        var released = Set<Int>()
        for index in sets.indices.shuffled(using: &generator) where index % 3 != 0 {
            table.release(ids[index])
            table.release(ids[index])
            released.insert(index)
        }
        #expect(table.count == 5000 - released.count)
        for (index, set) in sets.enumerated() where !released.contains(index) {
            #expect(table.intern(set, references: 0) == ids[index] && table[ids[index]] == set)
        }
        // Freed ids are reused for new sets.
        let fresh = table.intern(PathAttributes(origin: .egp), references: 1)
        #expect(released.contains { ids[$0] == fresh })
    }

    @Test func ipv4EntriesPackPrefixAndValue() {
        for (address, length, value) in [(UInt32.max, 32, IPv4NLRI.valueLimit - 1), (0, 0, 0), (0x0A00_0100, 24, 12345)] {
            let key = IPv4NLRI(address: address, length: length)!
            let entry = IPv4NLRI.entry(key, value)
            #expect(entry != IPv4NLRI.emptyEntry)
            #expect(IPv4NLRI.key(of: entry) == key)
            #expect(IPv4NLRI.value(of: entry) == value)
        }
    }

    @Test func ipv6KeysAndTheEmptySentinel() {
        var map = PrefixMap<IPv6NLRI>()
        let prefixes = (0..<5000).map { IPv6NLRI(address: UInt128(0x2001_0DB8) << 96 | UInt128($0) << 64, length: 64)! }
        for (i, p) in prefixes.enumerated() { map.insertNew(p, UInt32(i)) }
        #expect(map[IPv6NLRI(address: 0, length: 0)!] == nil)
        for (i, p) in prefixes.enumerated() where i % 2 == 0 { map.remove(at: map.slot(of: p)!) }
        #expect(map.count == 2500)
        #expect(prefixes.enumerated().allSatisfy { i, p in map[p] == (i % 2 == 0 ? nil : UInt32(i)) })
    }
}
