import Testing
import NetworkCore

@Suite struct IPPrefixSpecialPurposeTests {
    @Test(arguments: [
        ("10.0.0.0/16", AddressSpace.privateUse),
        ("10.0.0.0/8", .privateUse),
        ("172.16.0.0/12", .privateUse),
        ("172.31.255.0/30", .privateUse),
        ("192.168.0.0/16", .privateUse),
        ("100.64.0.0/10", .sharedAddressSpace),
        ("100.127.255.0/24", .sharedAddressSpace),
        ("fd00:a::/48", .uniqueLocal),
        ("fc00::/7", .uniqueLocal),
        ("192.0.2.0/24", .documentation),
        ("2001:db8:1::/48", .documentation),
        ("198.18.0.0/15", .benchmarking),
        ("127.0.0.0/8", .notRoutable),
        ("169.254.1.0/24", .notRoutable),
        ("224.0.0.0/4", .notRoutable),
        ("240.0.0.0/4", .notRoutable),
        ("0.0.0.0/8", .notRoutable),
        ("fe80::/64", .notRoutable),
        ("ff02::/16", .notRoutable),
        ("::1/128", .notRoutable),
        ("0.0.0.0/0", .notRoutable),          // holds loopback
        ("8.8.8.0/24", .publicSpace),
        ("172.0.0.0/8", .publicSpace),         // straddles 172.16/12: part is someone else's
        ("172.32.0.0/16", .publicSpace),
        ("100.128.0.0/16", .publicSpace),
        ("2400:3200::/32", .publicSpace),
    ])
    func classifies(block: String, space: AddressSpace) {
        #expect(IPPrefix(block)!.addressSpace == space)
    }

    @Test func privateMeansRFC1918RFC6598OrULA() {
        #expect(AddressSpace.allCases.filter(\.isPrivate) == [.privateUse, .sharedAddressSpace, .uniqueLocal])
    }
}
