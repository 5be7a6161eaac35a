@testable import BGPCore
import NetworkCore
import Testing

/// OutputQueue: prefixes wait as keys, once each, and are encoded from the Adj-RIB-Out as
/// it is when their turn comes; End-of-RIB follows the table.
@Suite struct OutputQueueTests {
    static let packer = UpdatePacker(options: BGPCodecOptions())
    static func v4(_ n: Int) -> IPv4NLRI { IPv4NLRI(address: 0x0A00_0000 | UInt32(n) << 8, length: 24)! }
    static func attributes(_ med: UInt32) -> PathAttributes {
        PathAttributes(origin: .igp, asPath: ASPath(sequence: [65002]), nextHop: .ipv4(IPv4Address(10, 254, 0, 1)), med: med)
    }

    @Test func aPrefixChangedManyTimesWaitsOnceAndLeavesInItsLatestState() throws {
        var out = AdjRIBOut()
        var queue = OutputQueue()
        for med in 0..<1000 {
            var delta = AdjRIBOut.Delta()
            out.set(.v4(Self.v4(1)), Self.attributes(UInt32(med)), into: &delta)
            out.set(.v4(Self.v4(2)), med % 2 == 0 ? Self.attributes(1) : nil, into: &delta)
            queue.addChanges(delta)
        }
        #expect(queue.count == 2)
        let (v4, v6) = queue.next(100)
        #expect(Set(v4) == [Self.v4(1), Self.v4(2)] && v6.isEmpty && queue.isEmpty)
        let delta = out.delta(for: v4, v6)
        // 10.0.1.0/24 with the last MED, 10.0.2.0/24 withdrawn (the last change took it away).
        #expect(delta.withdraw4 == [Self.v4(2)])
        #expect(delta.announce4.values.flatMap { $0 } == [Self.v4(1)])
        let updates = try WirePackerTests.split(out.encode(delta, with: Self.packer), options: BGPCodecOptions())
        #expect(updates.contains { $0.attributes.med == 999 && $0.nlri == [Self.v4(1)] })
    }

    @Test func theTableDrainsInBatchesThenEndOfRIB() {
        var out = AdjRIBOut()
        var queue = OutputQueue()
        var delta = AdjRIBOut.Delta()
        for n in 0..<10_000 { out.set(.v4(Self.v4(n)), Self.attributes(1), into: &delta) }
        queue.addTable(delta)
        queue.addEndOfRIB([.ipv4Unicast])
        var sent = Set<IPv4NLRI>()
        while !queue.tableSent {
            #expect(queue.takeEndOfRIB().isEmpty)
            let (v4, _) = queue.next(4096)
            #expect(v4.count <= 4096)
            sent.formUnion(v4)
        }
        #expect(sent.count == 10_000)
        #expect(queue.takeEndOfRIB() == [.ipv4Unicast] && queue.isEmpty)
    }
}
