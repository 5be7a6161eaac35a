import Testing
@testable import NetworkCore

@Suite struct IPPrefixTests {
    @Test func parsesStrictly() throws {
        let prefix = try IPPrefix(parsing: "10.0.0.0/16")
        #expect(prefix.network == IPAddress("10.0.0.0") && prefix.length == 16)
        #expect(try IPPrefix(parsing: "2001:db8::/32").description == "2001:db8::/32")
        #expect(try IPPrefix(parsing: "0.0.0.0/0").addressCount == 1 << 32)
        #expect(try IPPrefix(parsing: "::/0").addressCount == .max)
    }

    @Test(arguments: [
        ("10.0.0.0", PrefixParseError.missingLength("10.0.0.0")),
        ("10.0.0/8", .badAddress("10.0.0/8")),
        ("10.0.0.0/33", .badLength("10.0.0.0/33", maximum: 32)),
        ("10.0.0.0/", .badLength("10.0.0.0/", maximum: 32)),
        ("10.0.0.0/08", .badLength("10.0.0.0/08", maximum: 32)),
        ("10.0.0.0/-1", .badLength("10.0.0.0/-1", maximum: 32)),
        ("::/129", .badLength("::/129", maximum: 128)),
        ("10.0.1.5/16", .hostBitsSet("10.0.1.5/16", network: IPPrefix("10.0.0.0/16")!)),
        ("2001:db8::1/64", .hostBitsSet("2001:db8::1/64", network: IPPrefix("2001:db8::/64")!)),
    ])
    func reportsWhatIsWrong(text: String, error: PrefixParseError) {
        #expect(throws: error) { try IPPrefix(parsing: text) }
        #expect(IPPrefix(text) == nil)
    }

    @Test func hostBitsMessageNamesTheBlock() {
        let error = PrefixParseError.hostBitsSet("10.0.1.5/16", network: IPPrefix("10.0.0.0/16")!)
        #expect(error.description.contains("10.0.0.0/16"))
    }

    @Test func containmentAndOverlap() throws {
        let block = try IPPrefix(parsing: "10.0.0.0/16")
        let inside = try IPPrefix(parsing: "10.0.5.0/24")
        let outside = try IPPrefix(parsing: "10.1.0.0/24")
        let v6 = try IPPrefix(parsing: "::/0")
        #expect(block.contains(inside) && !inside.contains(block))
        #expect(block.overlaps(inside) && inside.overlaps(block))
        #expect(!block.overlaps(outside) && !block.contains(outside))
        #expect(!v6.overlaps(block) && !v6.contains(IPAddress("10.0.0.1")!))
        #expect(block.contains(IPAddress("10.0.255.255")!) && !block.contains(IPAddress("10.1.0.0")!))
        #expect(try IPPrefix(parsing: "0.0.0.0/0").contains(block))
        #expect(block.contains(block) && block.overlaps(block))
    }

    @Test func addressesInsideTheBlock() throws {
        let block = try IPPrefix(parsing: "10.0.1.0/24")
        #expect(block.address(at: 0) == IPAddress("10.0.1.0"))
        #expect(block.address(at: 1) == IPAddress("10.0.1.1"))
        #expect(block.address(at: 255) == IPAddress("10.0.1.255"))
        #expect(block.address(at: 256) == nil)
        #expect(block.lastAddress == IPAddress("10.0.1.255"))
        #expect(block.index(of: IPAddress("10.0.1.77")!) == 77)
        #expect(block.index(of: IPAddress("10.0.2.0")!) == nil)
        let host = try IPPrefix(parsing: "10.0.1.1/32")
        #expect(host.addressCount == 1 && host.lastAddress == host.network)
        let v6 = try IPPrefix(parsing: "fd00::/120")
        #expect(v6.address(at: 255) == IPAddress("fd00::ff") && v6.address(at: 256) == nil)
    }

    @Test func containingMasksHostBits() {
        #expect(IPPrefix(containing: IPAddress("10.0.1.77")!, length: 24) == IPPrefix("10.0.1.0/24"))
        #expect(IPPrefix(containing: IPAddress("fd00::1:2")!, length: 112) == IPPrefix("fd00::1:0/112"))
        #expect(IPPrefix(containing: IPAddress("10.0.1.77")!, length: 33) == nil)
    }

    @Test func sortsByAddressThenLength() {
        let sorted = ["10.0.1.0/24", "::/0", "10.0.0.0/16", "10.0.0.0/8", "9.0.0.0/8"].compactMap { IPPrefix($0) }.sorted()
        #expect(sorted.map(\.description) == ["9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "10.0.1.0/24", "::/0"])
    }
}

@Suite struct SubnetDivisionTests {
    @Test func dividesEvenlyIntoNodeSubnets() throws {
        let block = try IPPrefix(parsing: "10.0.0.0/16")
        #expect(block.subnetCount(ofLength: 24) == 256)
        let subnets = Array(block.subnets(ofLength: 24))
        #expect(subnets.count == 256)
        #expect(subnets.first == IPPrefix("10.0.0.0/24") && subnets.last == IPPrefix("10.0.255.0/24"))
        #expect(Set(subnets).count == 256)
        for (a, b) in zip(subnets, subnets.dropFirst()) {
            #expect(!a.overlaps(b) && a < b)
        }
        #expect(block.subnet(ofLength: 24, at: 7) == IPPrefix("10.0.7.0/24"))
        #expect(block.subnet(ofLength: 24, at: 256) == nil)
        #expect(block.subnetIndex(of: IPPrefix("10.0.7.0/24")!) == 7)
        #expect(block.subnetIndex(of: IPPrefix("10.1.7.0/24")!) == nil)
    }

    @Test func refusesImpossibleLengths() throws {
        let block = try IPPrefix(parsing: "10.0.0.0/16")
        #expect(block.subnetCount(ofLength: 15) == nil)
        #expect(block.subnetCount(ofLength: 33) == nil)
        #expect(block.subnetCount(ofLength: 16) == 1)
        #expect(Array(block.subnets(ofLength: 40)).isEmpty)
    }

    @Test func ipv6SubnetsAreLazy() throws {
        let block = try IPPrefix(parsing: "fd00::/48")
        #expect(block.subnetCount(ofLength: 64) == 65536)
        #expect(block.subnetCount(ofLength: 128) == UInt128(1) << 80)
        #expect(block.subnet(ofLength: 64, at: 65535) == IPPrefix("fd00:0:0:ffff::/64"))
        #expect(Array(block.subnets(ofLength: 128).prefix(2)) == [IPPrefix("fd00::/128"), IPPrefix("fd00::1/128")])
        let all = try IPPrefix(parsing: "::/0")
        #expect(all.subnetCount(ofLength: 128) == .max)
        #expect(all.subnet(ofLength: 1, at: 1) == IPPrefix("8000::/1"))
    }

    @Test func dividesIntoPowersOfTwo() throws {
        let block = try IPPrefix(parsing: "10.0.0.0/16")
        #expect(block.divided(into: 4)?.map(\.description) == ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"])
        #expect(block.divided(into: 3) == nil)
        #expect(block.divided(into: 0) == nil)
        #expect(try IPPrefix(parsing: "10.0.0.0/31").divided(into: 4) == nil)
    }

    /// Every /24 of a /16, checked against a second computation through strings.
    @Test func exhaustiveAgainstTextArithmetic() throws {
        let block = try IPPrefix(parsing: "172.16.0.0/16")
        for (i, subnet) in block.subnets(ofLength: 24).enumerated() {
            #expect(subnet.description == "172.16.\(i).0/24")
            #expect(subnet.lastAddress.description == "172.16.\(i).255")
        }
    }
}

@Suite struct InterfaceAddressTests {
    @Test func keepsHostBits() throws {
        let address = try #require(InterfaceAddress("10.0.1.5/24"))
        #expect(address.address == IPAddress("10.0.1.5") && address.prefixLength == 24)
        #expect(address.prefix == IPPrefix("10.0.1.0/24"))
        #expect(address.description == "10.0.1.5/24")
        #expect(InterfaceAddress("fd00::5/64")?.prefix == IPPrefix("fd00::/64"))
    }

    @Test(arguments: ["10.0.1.5", "10.0.1.5/33", "x/24", "10.0.1.5/", "10.0.1.5/a", "::1/129"])
    func rejects(text: String) {
        #expect(InterfaceAddress(text) == nil)
    }
}
