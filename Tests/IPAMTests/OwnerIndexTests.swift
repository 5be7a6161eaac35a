import Foundation
import IPAM
import NetworkCore
import TestSupport
import Testing

/// The file store's owner index: what a crash can leave in it never hands an address to the
/// wrong owner, and GC (or a missing index) rebuilds it from the records.
@Suite struct OwnerIndexTests {
    static let c1 = IPAMOwner(containerID: "c1", ifname: "eth0")
    static let c2 = IPAMOwner(containerID: "c2", ifname: "eth0")

    static func allocator(_ path: String) throws -> (NodeAllocator, FileStore) {
        let store = try FileStore(directory: path)
        return (try NodeAllocator(pools: [try AddressPool(subnet: IPPrefix("10.0.3.0/24")!)], store: store), store)
    }

    /// A SIGKILL between the index write and the record leaves an entry for an address the
    /// owner does not hold (here: one another owner holds): readers ignore it.
    @Test func staleIndexEntriesAreCheckedAgainstTheRecords() throws {
        let dir = try TemporaryDirectory()
        let (allocator, _) = try Self.allocator(dir.file("net"))
        #expect(try allocator.allocate(for: Self.c2).map(\.description) == ["10.0.3.2/24"])
        try "10.0.3.2\n10.0.3.9\n".write(toFile: dir.file("net/owners/c1:eth0"), atomically: false, encoding: .utf8)
        #expect(try allocator.addresses(of: Self.c1).isEmpty)
        #expect(try allocator.allocate(for: Self.c1, reuse: false).map(\.description) == ["10.0.3.3/24"])
        #expect(try allocator.release(Self.c1).map(\.description) == ["10.0.3.3"])
        #expect(try allocator.addresses(of: Self.c2).map(\.description) == ["10.0.3.2"])
        #expect(!FileManager.default.fileExists(atPath: dir.file("net/owners/c1:eth0")))
    }

    /// A record without an index entry (an older version's store, or a lost index) is found
    /// again once the index is rebuilt: at the next lock when the folder is missing, and by GC.
    @Test func missingIndexIsRebuiltFromTheRecords() throws {
        let dir = try TemporaryDirectory()
        let (allocator, _) = try Self.allocator(dir.file("net"))
        _ = try allocator.allocate(for: Self.c1)
        _ = try allocator.allocate(for: Self.c2)
        try FileManager.default.removeItem(atPath: dir.file("net/owners"))
        #expect(try allocator.addresses(of: Self.c1).map(\.description) == ["10.0.3.2"])
        #expect(throws: IPAMError.alreadyAllocated(owner: Self.c2, addresses: [IPAddress("10.0.3.3")!])) {
            try allocator.allocate(for: Self.c2, reuse: false)
        }

        try FileManager.default.removeItem(atPath: dir.file("net/owners/c2:eth0"))
        #expect(try allocator.addresses(of: Self.c2).isEmpty)
        #expect(try allocator.collectGarbage(keeping: [Self.c1, Self.c2]).freed.isEmpty)
        #expect(try allocator.addresses(of: Self.c2).map(\.description) == ["10.0.3.3"])
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("net")).sorted()
        #expect(!names.contains { $0.hasPrefix("owners.") }, "\(names)")
    }

    /// What a SIGKILL inside a rebuild or an index write can leave: the swap's folders half
    /// done, no `owners/`, a temporary index file. The next lock rebuilds and clears them.
    @Test func leftoversOfAKilledRebuildAreHarmless() throws {
        let dir = try TemporaryDirectory()
        let (allocator, _) = try Self.allocator(dir.file("net"))
        _ = try allocator.allocate(for: Self.c1)
        let fm = FileManager.default
        try fm.moveItem(atPath: dir.file("net/owners"), toPath: dir.file("net/owners.old"))
        try fm.createDirectory(atPath: dir.file("net/owners.new"), withIntermediateDirectories: false)
        try "10.0.3.2\n".write(toFile: dir.file("net/owners.new/.tmp-c2:eth0"), atomically: false, encoding: .utf8)
        #expect(try allocator.addresses(of: Self.c1).map(\.description) == ["10.0.3.2"])
        #expect(try allocator.allocate(for: Self.c2).map(\.description) == ["10.0.3.3/24"])
        try "10.0.3.9\n".write(toFile: dir.file("net/owners/.tmp-c2:eth0"), atomically: false, encoding: .utf8)
        #expect(try allocator.release(Self.c2).map(\.description) == ["10.0.3.3"])
        _ = try allocator.collectGarbage(keeping: [Self.c1])
        #expect(try fm.contentsOfDirectory(atPath: dir.file("net")).filter { $0.hasPrefix("owners") } == ["owners"])
        #expect(try fm.contentsOfDirectory(atPath: dir.file("net/owners")) == ["c1:eth0"])
    }

    /// GC removes each stale owner's resources before freeing its addresses; a failure keeps
    /// that owner's addresses (a later GC retries) and GC goes on with the others.
    @Test(arguments: NodeAllocatorTests.StoreKind.allCases)
    func gcGoesOnPastAFailedRemovalAndKeepsThatOwnersAddresses(kind: NodeAllocatorTests.StoreKind) throws {
        struct Refused: Error {}
        let dir = try TemporaryDirectory()
        let allocator = try NodeAllocator(pools: [NodeAllocatorTests.pool("10.0.3.0/24")], store: NodeAllocatorTests.store(kind, in: dir))
        for n in 0..<4 { _ = try allocator.allocate(for: NodeAllocatorTests.owner(n)) }
        var removed: [String] = []
        let collection = try allocator.collectGarbage(keeping: [NodeAllocatorTests.owner(0)]) { owner in
            if owner == NodeAllocatorTests.owner(1) { throw Refused() }
            removed.append(owner.containerID)
        }
        #expect(removed.sorted() == ["c2", "c3"])
        #expect(collection.freed.compactMap(\.owner?.containerID).sorted() == ["c2", "c3"])
        #expect(collection.failures.map(\.owner) == [NodeAllocatorTests.owner(1)])
        #expect(try allocator.addresses(of: NodeAllocatorTests.owner(1)).count == 1)
        #expect(try allocator.collectGarbage(keeping: [NodeAllocatorTests.owner(0)]).freed.compactMap(\.owner?.containerID) == ["c1"])
    }
}

@Suite struct OwnerIndexCodecTests {
    @Test func roundTripsAndDropsWhatIsNotAnAddress() {
        let addresses = [IPAddress("fd00::2")!, IPAddress("10.0.3.2")!]
        #expect(IPAMOwnerIndex.encode(addresses) == Array("10.0.3.2\nfd00::2\n".utf8))
        #expect(IPAMOwnerIndex.decode(IPAMOwnerIndex.encode(addresses)) == addresses.sorted())
        #expect(IPAMOwnerIndex.decode(Array("10.0.3.2\ngarbage\n\n10.0.3.\u{1}\nfd00::9".utf8)) == [IPAddress("10.0.3.2")!, IPAddress("fd00::9")!])
        #expect(IPAMOwnerIndex.decode([0xFF, 0x0A, 0x31]) == [])
        #expect(IPAMOwnerIndex.decode([UInt8](repeating: 0x31, count: 4096)) == [])
    }

    @Test func fileNamesOnlyForOwnersThatCanNameAFile() {
        #expect(IPAMOwnerIndex.fileName(IPAMOwner(containerID: "c1", ifname: "eth0")) == "c1:eth0")
        for bad in [IPAMOwner(containerID: "", ifname: "eth0"), IPAMOwner(containerID: "c1", ifname: ""),
                    IPAMOwner(containerID: "a/b", ifname: "eth0"), IPAMOwner(containerID: "c1", ifname: "e:0"),
                    IPAMOwner(containerID: String(repeating: "c", count: 250), ifname: "eth0123456")] {
            #expect(IPAMOwnerIndex.fileName(bad) == nil, "\(bad)")
        }
    }
}
