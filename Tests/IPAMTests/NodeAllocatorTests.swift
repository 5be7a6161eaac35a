import IPAM
import NetworkCore
import TestSupport
import Testing

/// Allocator behaviour, run against the in-memory store and the file store alike.
@Suite struct NodeAllocatorTests {
    enum StoreKind: String, CaseIterable, CustomStringConvertible {
        case memory, file
        var description: String { rawValue }
    }

    /// A fresh store of `kind`; the directory (for the file store) lives as long as the test.
    static func store(_ kind: StoreKind, in directory: TemporaryDirectory) throws -> any IPAMStore {
        switch kind {
        case .memory: MemoryIPAMStore()
        case .file: try FileStore(directory: directory.file("store"))
        }
    }

    static func pool(_ cidr: String, exclusions: [String] = []) throws -> AddressPool {
        try AddressPool(subnet: IPPrefix(cidr)!, exclusions: exclusions.map { IPPrefix($0)! })
    }

    static func owner(_ n: Int) -> IPAMOwner { IPAMOwner(containerID: "c\(n)", ifname: "eth0") }

    @Test(arguments: StoreKind.allCases)
    func handsOutRoundRobinSkippingSpecialAddresses(kind: StoreKind) throws {
        let dir = try TemporaryDirectory()
        let allocator = try NodeAllocator(pools: [Self.pool("10.0.3.0/29")], store: Self.store(kind, in: dir))
        // /29: .0 network, .1 gateway, .7 broadcast; .2-.6 usable.
        var got: [String] = []
        for n in 0..<5 { got += try allocator.allocate(for: Self.owner(n)).map(\.description) }
        #expect(got == ["10.0.3.2/29", "10.0.3.3/29", "10.0.3.4/29", "10.0.3.5/29", "10.0.3.6/29"])
        #expect(try allocator.hasFreeAddresses() == false)
        #expect(throws: IPAMError.exhausted(subnet: IPPrefix("10.0.3.0/29")!, usable: 5)) {
            try allocator.allocate(for: Self.owner(9))
        }
        // Round robin: freeing .3 then allocating gives .3 back only after the wrap.
        try allocator.release(Self.owner(1))
        #expect(try allocator.allocate(for: Self.owner(10)).map(\.description) == ["10.0.3.3/29"])
        try allocator.release(Self.owner(3))
        try allocator.release(Self.owner(0))
        #expect(try allocator.allocate(for: Self.owner(11)).map(\.description) == ["10.0.3.5/29"])
        #expect(try allocator.allocate(for: Self.owner(12)).map(\.description) == ["10.0.3.2/29"])
    }

    @Test(arguments: StoreKind.allCases)
    func dualStackGivesOnePerFamilyAndRetriedAddIsIdempotent(kind: StoreKind) throws {
        let dir = try TemporaryDirectory()
        let allocator = try NodeAllocator(pools: [Self.pool("10.0.3.0/24"), Self.pool("fd00:0:3::/64")],
                                          store: Self.store(kind, in: dir))
        let first = try allocator.allocate(for: Self.owner(1))
        #expect(first.map(\.description) == ["10.0.3.2/24", "fd00:0:3::2/64"])
        #expect(try allocator.allocate(for: Self.owner(1)) == first)
        #expect(throws: IPAMError.alreadyAllocated(owner: Self.owner(1), addresses: first.map(\.address))) {
            try allocator.allocate(for: Self.owner(1), reuse: false)
        }
        #expect(try allocator.addresses(of: Self.owner(1)).map(\.description) == ["10.0.3.2", "fd00:0:3::2"])
        // Same container, other interface: other addresses.
        let other = try allocator.allocate(for: IPAMOwner(containerID: "c1", ifname: "net1"))
        #expect(other.map(\.description) == ["10.0.3.3/24", "fd00:0:3::3/64"])
        #expect(try allocator.release(Self.owner(1)).count == 2)
        #expect(try allocator.release(Self.owner(1)).isEmpty)
        #expect(try allocator.addresses(of: IPAMOwner(containerID: "c1", ifname: "net1")).count == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func failedSecondFamilyRollsBackTheFirst(kind: StoreKind) throws {
        let dir = try TemporaryDirectory()
        let store = try Self.store(kind, in: dir)
        let allocator = try NodeAllocator(pools: [Self.pool("10.0.3.0/24"), Self.pool("fd00::/126")], store: store)
        _ = try allocator.allocate(for: Self.owner(1)) // takes fd00::2; ::1 gateway, ::3 left
        _ = try allocator.allocate(for: Self.owner(2))
        let before = try store.locked { try store.reservations() }
        #expect(throws: IPAMError.self) { try allocator.allocate(for: Self.owner(3)) }
        #expect(try store.locked { try store.reservations() } == before)
    }

    @Test(arguments: StoreKind.allCases)
    func garbageCollectionKeepsOnlyValidAttachments(kind: StoreKind) throws {
        let dir = try TemporaryDirectory()
        let allocator = try NodeAllocator(pools: [Self.pool("10.0.3.0/24")], store: Self.store(kind, in: dir))
        for n in 0..<6 { _ = try allocator.allocate(for: Self.owner(n)) }
        let freed = try allocator.collectGarbage(keeping: [Self.owner(1), Self.owner(4), IPAMOwner(containerID: "gone", ifname: "eth0")]).freed
        #expect(freed.compactMap(\.owner?.containerID).sorted() == ["c0", "c2", "c3", "c5"])
        #expect(try allocator.addresses(of: Self.owner(1)).count == 1)
        #expect(try allocator.addresses(of: Self.owner(4)).count == 1)
        #expect(try allocator.collectGarbage(keeping: [Self.owner(1), Self.owner(4)]).freed.isEmpty)
    }

    @Test func exclusionsAndLargeIPv6Subnets() throws {
        let allocator = try NodeAllocator(pools: [Self.pool("10.0.3.0/28", exclusions: ["10.0.3.0/30", "10.0.3.8/31"])],
                                          store: MemoryIPAMStore())
        var got: [String] = []
        for n in 0..<12 {
            guard let a = try? allocator.allocate(for: Self.owner(n)) else { break }
            got += a.map { $0.address.description }
        }
        #expect(got == ["10.0.3.4", "10.0.3.5", "10.0.3.6", "10.0.3.7", "10.0.3.10", "10.0.3.11", "10.0.3.12", "10.0.3.13", "10.0.3.14"])
        #expect(try Self.pool("10.0.3.0/28", exclusions: ["10.0.3.0/30", "10.0.3.8/31"]).usableCount == 9)

        let v6 = try NodeAllocator(pools: [Self.pool("fd00::/48")], store: MemoryIPAMStore())
        #expect(try v6.allocate(for: Self.owner(1)).first?.description == "fd00::2/48")
        #expect(try v6.hasFreeAddresses())
    }

    @Test func refusesUnusablePools() {
        #expect(throws: IPAMError.self) { try AddressPool(subnet: IPPrefix("10.0.0.0/31")!) }
        #expect(throws: IPAMError.self) { try AddressPool(subnet: IPPrefix("10.0.0.0/24")!, gateway: IPAddress("10.0.1.1")) }
        #expect(throws: IPAMError.self) { try AddressPool(subnet: IPPrefix("10.0.0.0/24")!, gateway: IPAddress("10.0.0.255")) }
        #expect(throws: IPAMError.self) {
            try NodeAllocator(pools: [Self.pool("10.0.0.0/24"), Self.pool("10.0.0.0/25")], store: MemoryIPAMStore())
        }
        #expect(throws: IPAMError.self) { try AddressPool(subnet: IPPrefix("10.0.0.0/24")!, rangeStart: IPAddress("10.0.0.9"), rangeEnd: IPAddress("10.0.0.8")) }
        #expect(throws: IPAMError.self) { try AddressPool(subnet: IPPrefix("10.0.0.0/24")!, rangeEnd: IPAddress("10.0.0.255")) }
    }
}
