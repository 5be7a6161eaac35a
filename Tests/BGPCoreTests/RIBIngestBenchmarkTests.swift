import BGPCore
import Foundation
import NetworkCore
import Testing

/// The ingest micro-benchmark: a table of /24s pre-encoded as full-size UPDATEs (one
/// attribute set per 1,000 prefixes, like a feed with many paths), then framed, decoded and
/// applied to the RIB. Prints time and peak RSS; asserts only the counts, never the time.
/// `BGP_RIB_BENCH_PREFIXES=1000000 swift test -c release --filter RIBIngestBenchmark` is
/// the full-table run; the default size keeps the suite fast.
@Suite("RIB ingest benchmark")
struct RIBIngestBenchmarkTests {
    static let prefixCount = ProcessInfo.processInfo.environment["BGP_RIB_BENCH_PREFIXES"].flatMap(Int.init) ?? 200_000

    @Test func decodeAndInsertFullSizeUpdates() throws {
        let options = BGPCodecOptions(fourOctetAS: true, families: [.ipv4Unicast], isExternal: true, peerAS: 65001)
        let packer = UpdatePacker(options: options)
        var wire: [UInt8] = []
        let encodeStart = ContinuousClock.now
        var messages = 0
        var next = 0
        while next < Self.prefixCount {
            let batch = (next..<min(next + 1000, Self.prefixCount)).map {
                IPv4NLRI(address: 0x0100_0000 &+ UInt32($0) << 8, length: 24)!
            }
            let attributes = PathAttributes(
                origin: .igp, asPath: ASPath(sequence: [65001, 4_200_000_000 + UInt32(next / 1000 % 1000), 3356]),
                nextHop: .ipv4(IPv4Address(10, 254, 0, 1)), med: UInt32(next / 1000 % 7),
                communities: [Community(asNumber: 65001, value: UInt16(next / 1000 % 50))])
            messages += packer.announce(batch, attributes: attributes, into: &wire)
            next += batch.count
        }
        let encodeTime = ContinuousClock.now - encodeStart

        var rib = RIB(localAS: 65002)
        let peer = rib.addPeer(PeerInfo(address: .v4(IPv4Address(10, 254, 0, 1)), asNumber: 65001,
                                        routerID: IPv4Address(10, 254, 0, 1), isExternal: true))
        let rssBefore = Self.memory("VmRSS")
        let start = ContinuousClock.now
        var decoded = 0
        try wire.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                guard let length = try BGPMessage.frameLength(rest) else { break }
                let message = try BGPMessage.decode(UnsafeRawBufferPointer(rebasing: rest[..<length]), options: options)
                if case .update(let update) = message {
                    rib.apply(update, from: peer)
                    decoded += 1
                }
                offset += length
            }
        }
        let elapsed = ContinuousClock.now - start
        #expect(decoded == messages)
        #expect(rib.prefixCount == Self.prefixCount)
        #expect(rib.acceptedCount(peer) == Self.prefixCount)
        print("""
            RIB ingest: \(Self.prefixCount) /24s in \(messages) UPDATEs (\(wire.count) octets, encoded in \(encodeTime)); \
            decode+insert \(elapsed); \(rib.attributeSetCount) attribute sets; \
            RSS \(rssBefore) kB before, \(Self.memory("VmRSS")) kB after, peak \(Self.memory("VmHWM")) kB
            """)
    }

    /// A field of /proc/self/status in kB.
    static func memory(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
        }
        return -1
    }
}
