import BGPCore
import NetworkCore
import Testing

@Suite struct AdjRIBOutTests {
    static let prefix = RIBPrefix(IPPrefix("10.1.0.0/24")!)!
    static let packer = UpdatePacker(options: BGPCodecOptions())

    static func attributes(med: UInt32, communities: Int = 0) -> PathAttributes {
        PathAttributes(origin: .igp, asPath: ASPath(sequence: [65002]), nextHop: .ipv4(IPv4Address(192, 0, 2, 1)),
                       med: med, communities: (0..<communities).map { Community(rawValue: UInt32($0)) })
    }

    /// A route whose MED changes a thousand times leaves one attribute set, not a thousand.
    @Test func setsNoPrefixUsesAreFreed() {
        var out = AdjRIBOut()
        for med in 0..<1000 {
            var delta = AdjRIBOut.Delta()
            out.set(Self.prefix, Self.attributes(med: UInt32(med)), into: &delta)
            _ = out.encode(delta, with: Self.packer)
        }
        #expect(out.setCount == 1 && out.count == 1)
        var delta = AdjRIBOut.Delta()
        out.set(Self.prefix, nil, into: &delta)
        _ = out.encode(delta, with: Self.packer)
        #expect(out.setCount == 0 && out.count == 0)
    }

    /// Attributes larger than an UPDATE: nothing goes out, and the prefix is not recorded as sent.
    @Test func aPrefixThatCannotBePackedIsNotRecordedAsSent() throws {
        var out = AdjRIBOut()
        var delta = AdjRIBOut.Delta()
        out.set(Self.prefix, Self.attributes(med: 1, communities: 1100), into: &delta)
        let bytes = out.encode(delta, with: Self.packer)
        #expect(bytes.isEmpty && out.count == 0 && out.unsendable == 1 && out.setCount == 0)
    }
}
