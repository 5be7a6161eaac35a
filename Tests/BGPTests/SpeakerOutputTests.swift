@testable import BGP
import BGPCore
import Foundation
import NIOCore
import NetworkCore
import Testing
import TestSupport

/// Issue 17 item 6: a peer that reads slowly (here: not at all) holds a bounded amount of
/// our output. UPDATEs are built only while the channel is writable; changes made while it
/// is not wait coalesced, one per prefix, and go once the peer reads again.
@Suite struct SpeakerOutputTests {
    static let options = BGPCodecOptions()

    @Test func aPeerThatStopsReadingHoldsBoundedOutputAndGetsTheLatestWhenItReads() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let a = BGPSpeaker(config: fixture.config(0, peers: [2]) { $0.passive = true })
        try await a.start()
        defer { Task { await a.shutdown() } }
        let c = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0], receiveBuffer: 4096)
        defer { c.close() }
        // Hold time 0: no keepalives either way, so only UPDATEs fill the pipe.
        c.send(BGPMessage.open(OpenMessage(asNumber: 65003, holdTime: 0, bgpIdentifier: IPv4Address(10, 0, 0, 3),
                                           capabilities: [.multiprotocol(.ipv4Unicast)])).encode(options: Self.options)
               + BGPMessage.keepalive.encode(options: Self.options))
        try await eventually("the session is up") { try await a.peer(2)?.state == "Established" }

        // C reads nothing while A re-announces 100,000 prefixes 12 times with new communities:
        // about 5 MB of UPDATEs if each change were written out, more than the socket holds.
        let prefixes = (0..<100_000).map { IPPrefix("\(10 + ($0 >> 16)).\($0 >> 8 & 255).\($0 & 255).0/24")! }
        var peak = (buffered: 0, queued: 0)
        for round in 0..<12 {
            let routes = prefixes.map { OriginateConfig(prefix: $0, communities: [Community(asNumber: 65001, value: UInt16(round))]) }
            let (buffered, queued) = try await a.loop.submit { () -> (Int, Int) in
                a.addOriginated(routes)
                let session = a.sessions[0]
                return (session.primary.unwrittenBytes, session.output.count)
            }.get()
            peak = (max(peak.buffered, buffered), max(peak.queued, queued))
        }
        // Before: every change was encoded and written at once, and NIO buffered what the
        // socket did not take (2.07 MB here with the writability check taken out). Now: the
        // high watermark plus one batch (90 KB), and at most one waiting key per prefix.
        #expect(peak.buffered < 256 * 1024, "NIO buffered \(peak.buffered) bytes")
        #expect(peak.queued <= prefixes.count, "\(peak.queued) prefixes queued")

        // C reads again: the queue drains, and the last announcement of a prefix carries
        // the last round's community.
        let first = IPv4NLRI(prefixes[0])!
        let last = try await offPool { () -> PathAttributes? in
            var last: PathAttributes?
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, let bytes = c.receive(timeout: 3) {
                guard case .update(let update)? = try? BGPMessage.decode(bytes, options: Self.options) else { continue }
                if update.nlri.contains(first) { last = update.attributes }
            }
            return last
        }
        try await eventually("A's queue is empty") { try await a.loop.submit { a.sessions[0].output.isEmpty }.get() }
        #expect(last?.communities == [Community(asNumber: 65001, value: 11)])
    }
}
