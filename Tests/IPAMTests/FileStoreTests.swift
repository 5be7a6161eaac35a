import Foundation
import IPAM
import NetworkCore
import TestSupport
import Testing

@Suite struct FileStoreTests {
    @Test func recordCodecRoundTripsAndRefusesGarbage() {
        let owner = IPAMOwner(containerID: "c0ffee", ifname: "eth0")
        #expect(IPAMRecord.decode(IPAMRecord.encode(owner)) == owner)
        for bad in ["", "c0ffee\neth0\n", "terway-edge-ipam 1\nc0ffee\neth0", "terway-edge-ipam 1\n\neth0\n",
                    "terway-edge-ipam 1\nc0ffee\neth0\nextra\n", "terway-edge-ipam 2\nc\ne\n", "terway-edge-ipam 1\nc\u{1}\ne\n"] {
            #expect(IPAMRecord.decode(Array(bad.utf8)) == nil, "\(bad)")
        }
        #expect(IPAMRecord.decode([0x74, 0xFF, 0x0A]) == nil)
    }

    @Test func layoutIsOneFilePerAddressAndNoTemporariesRemain() throws {
        let dir = try TemporaryDirectory()
        let store = try FileStore(directory: dir.file("a/b/net"))
        let allocator = try NodeAllocator(pools: [try AddressPool(subnet: IPPrefix("10.0.3.0/24")!),
                                                  try AddressPool(subnet: IPPrefix("fd00:0:3::/64")!)], store: store)
        _ = try allocator.allocate(for: IPAMOwner(containerID: "c1", ifname: "eth0"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("a/b/net")).sorted()
        #expect(names == ["10.0.3.2", "fd00:0:3::2", "last_reserved_ip.4", "last_reserved_ip.6", "lock", "owners"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("a/b/net/owners")) == ["c1:eth0"])
        #expect(try String(contentsOfFile: dir.file("a/b/net/owners/c1:eth0"), encoding: .utf8) == "10.0.3.2\nfd00:0:3::2\n")
        let record = try String(contentsOfFile: dir.file("a/b/net/10.0.3.2"), encoding: .utf8)
        #expect(record == "terway-edge-ipam 1\nc1\neth0\n")
    }

    @Test func leftoversOfAKilledWriterAreHarmless() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("net")
        let store = try FileStore(directory: path)
        // What a SIGKILL can leave: a half-written temporary, and (from an older bug or disk
        // damage) a record that does not decode.
        try "terway-edge-ipam 1\nhalf".write(toFile: path + "/.tmp-10.0.3.2", atomically: false, encoding: .utf8)
        try "garbage".write(toFile: path + "/10.0.3.3", atomically: false, encoding: .utf8)
        let allocator = try NodeAllocator(pools: [try AddressPool(subnet: IPPrefix("10.0.3.0/24")!)], store: store)
        let reservations = try store.locked { try store.reservations() }
        #expect(reservations.count == 1)
        #expect(reservations[IPAddress("10.0.3.3")!] == .some(nil))
        #expect(!FileManager.default.fileExists(atPath: path + "/.tmp-10.0.3.2"))
        // The undecodable record keeps its address taken until GC frees it.
        #expect(try allocator.allocate(for: IPAMOwner(containerID: "c1", ifname: "eth0")).first?.description == "10.0.3.2/24")
        #expect(try allocator.allocate(for: IPAMOwner(containerID: "c2", ifname: "eth0")).first?.description == "10.0.3.4/24")
        let freed = try allocator.collectGarbage(keeping: [IPAMOwner(containerID: "c1", ifname: "eth0"),
                                                           IPAMOwner(containerID: "c2", ifname: "eth0")]).freed
        #expect(freed.map(\.address.description) == ["10.0.3.3"])
    }

    @Test func corruptLastReservedHintIsIgnored() throws {
        let dir = try TemporaryDirectory()
        let store = try FileStore(directory: dir.path)
        try "not an address".write(toFile: dir.file("last_reserved_ip.4"), atomically: false, encoding: .utf8)
        try "fd00::9".write(toFile: dir.file("last_reserved_ip.6"), atomically: false, encoding: .utf8)
        #expect(try store.lastReserved(.v4) == nil)
        #expect(try store.lastReserved(.v6) == IPAddress("fd00::9"))
    }
}
