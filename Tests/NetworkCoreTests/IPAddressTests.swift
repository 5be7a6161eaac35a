import Testing
@testable import NetworkCore

@Suite struct IPv4AddressTests {
    @Test(arguments: [
        ("0.0.0.0", UInt32(0)), ("255.255.255.255", UInt32.max), ("10.0.1.2", 0x0A00_0102),
        ("192.168.0.1", 0xC0A8_0001),
    ])
    func parsesAndFormats(text: String, value: UInt32) {
        #expect(IPv4Address(text)?.value == value)
        #expect(IPv4Address(value).description == text)
    }

    @Test(arguments: ["", "1", "1.2.3", "1.2.3.4.5", "256.0.0.0", "01.2.3.4", "1.2.3.04", "1..3.4", "1.2.3.4.", ".1.2.3",
                      "a.b.c.d", " 1.2.3.4", "1.2.3.4/24", "1.2.3.-4", "1.2.3.4%eth0", "99999999999.1.1.1"])
    func rejects(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func bytesRoundTrip() {
        let address = IPv4Address(192, 168, 7, 9)
        #expect(address.bytes == [192, 168, 7, 9])
        #expect(IPv4Address(bytes: address.bytes) == address)
        #expect(IPv4Address(bytes: [1, 2, 3]) == nil)
    }
}

@Suite struct IPv6AddressTests {
    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("1::", "1::"), ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
        ("1:0:1:1:1:1:1:1", "1:0:1:1:1:1:1:1"), ("::ffff:10.1.2.3", "::ffff:a01:203"),
        ("fe80::1:2", "fe80::1:2"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("1:2:3:4:5:6::8", "1:2:3:4:5:6:0:8"),
        ("0:0:1:0:0:0:1:0", "0:0:1::1:0"),
    ])
    func parsesToCanonicalText(text: String, canonical: String) throws {
        let address = try #require(IPv6Address(text))
        #expect(address.description == canonical)
        #expect(IPv6Address(canonical) == address)
    }

    @Test(arguments: ["", ":", ":::", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
                      "12345::", "g::", "::1%eth0", "1:2:3:4:5:6:7::8", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5"])
    func rejects(text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test func bytesRoundTrip() throws {
        let address = try #require(IPv6Address("2001:db8::abcd"))
        #expect(address.bytes.count == 16)
        #expect(address.bytes.prefix(4) == [0x20, 0x01, 0x0d, 0xb8])
        #expect(IPv6Address(bytes: address.bytes) == address)
    }
}

@Suite struct IPAddressTests {
    @Test func familiesAndOrder() throws {
        let v4 = try #require(IPAddress("10.0.0.1"))
        let v6 = try #require(IPAddress("::1"))
        #expect(v4.family == .v4 && v6.family == .v6)
        #expect(v4 < v6)
        #expect(try #require(IPAddress("10.0.0.2")) > v4)
        #expect(IPAddress(bytes: v4.bytes) == v4)
        #expect(IPAddress(bytes: v6.bytes) == v6)
        #expect(IPAddress(bytes: [1, 2]) == nil)
    }

    @Test func advancesWithinFamily() throws {
        #expect(IPAddress("10.0.0.255")?.advanced(by: 1) == IPAddress("10.0.1.0"))
        #expect(IPAddress("255.255.255.255")?.advanced(by: 1) == nil)
        #expect(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")?.advanced(by: 1) == nil)
        #expect(IPAddress("::ffff")?.advanced(by: 1) == IPAddress("::1:0"))
    }
}
