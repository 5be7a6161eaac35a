import BGP
import BGPCore
import Foundation
import NetworkCore
import Testing
import TestSupport

/// Issue 17 item 5: backoff for a flapping peer, the TTL of single-hop eBGP, a minimum
/// hold time (the send hold timer is in BGPInteropTests: it needs a real link's buffers).
@Suite struct SpeakerLivenessTests {
    static let options = BGPCodecOptions()
    static let cease = BGPMessage.notification(.cease(.otherConfigurationChange)).encode(options: options)

    /// A peer that ends every attempt with a NOTIFICATION: the waits between our attempts
    /// grow (5 s, then about 10 s, ...) instead of a fixed idle hold of 5 s.
    @Test func aPeerThatKeepsFailingIsRetriedWithGrowingWaits() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let peer = try RawTCPListener(address: "127.0.0.3", port: fixture.ports[2], reply: Self.cease)
        defer { peer.stop() }
        let a = BGPSpeaker(config: fixture.config(0, peers: [2]))
        try await a.start()
        defer { Task { await a.shutdown() } }
        try await Task.sleep(for: .seconds(18))
        let times = peer.connections
        // Fixed 5 s: attempts at 0, 5, 10, 15. Doubling from 3.75..5 s: at most 0, 5, 15.
        #expect(times.count >= 2 && times.count <= 3, "attempts at \(times.map { $0.timeIntervalSince(times[0]) })")
        if times.count == 3 {
            #expect(times[2].timeIntervalSince(times[1]) > times[1].timeIntervalSince(times[0]) * 1.4)
        }
    }

    /// A single-hop eBGP session sends with TTL 1 (a SYN from us cannot cross a router), so
    /// a listener that wants TTL >= 2 never sees our SYN; `multihop: 2` gets through.
    @Test func singleHopEBGPSendsWithTTL1AndMultihopRaisesIt() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let peer = try RawTCPListener(address: "127.0.0.3", port: fixture.ports[2], reply: Self.cease, minimumTTL: 2)
        defer { peer.stop() }
        let direct = BGPSpeaker(config: fixture.config(0, peers: [2]))
        try await direct.start()
        try await Task.sleep(for: .seconds(3))
        await direct.shutdown()
        #expect(peer.connections.isEmpty, "a TTL-1 SYN reached a listener that wants TTL 2")

        let multihop = BGPSpeaker(config: fixture.config(1, peers: [2]) { $0.multihop = 2 })
        try await multihop.start()
        defer { Task { await multihop.shutdown() } }
        try await eventually("the multihop speaker connects") { !peer.connections.isEmpty }
    }

    /// GTSM on the listening socket (RFC 5082 §3): when every peer is at most one hop away,
    /// a SYN that arrives with TTL (hop limit) 254 gets no SYN-ACK, one with 255 does; for an
    /// IPv4 and an IPv6 listener.
    @Test(arguments: ["127.0.0.1", "::1"])
    func theListenerDropsSYNsFromFartherThanTheGTSMPeers(listen: String) async throws {
        let fixture = try SpeakerFixture(count: 2)
        var config = fixture.config(0, peers: [1]) {
            $0.passive = true
            $0.ttlSecurity = 1
        }
        config.listen = SocketEndpoint(address: IPAddress(listen)!, port: fixture.ports[0])
        let a = BGPSpeaker(config: config)
        try await a.start()
        defer { Task { await a.shutdown() } }
        let port = fixture.ports[0]
        let (far, near) = try await offPool {
            (RawTCPClient.handshakes(to: listen, port: port, ttl: 254, timeout: 2),
             RawTCPClient.handshakes(to: listen, port: port, ttl: 255, timeout: 2))
        }
        #expect(!far, "a SYN with TTL 254 was answered")
        #expect(near, "a SYN with TTL 255 was not answered")
    }

    @Test func aHoldTimeBelowTheMinimumIsRefusedWith2Slash6() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let a = BGPSpeaker(config: fixture.config(0, peers: [2]) {
            $0.passive = true
            $0.minHoldTime = 9
        })
        try await a.start()
        defer { Task { await a.shutdown() } }
        let c = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0])
        defer { c.close() }
        c.send(BGPMessage.open(OpenMessage(asNumber: 65003, holdTime: 3, bgpIdentifier: IPv4Address(10, 0, 0, 3),
                                           capabilities: [.multiprotocol(.ipv4Unicast)])).encode(options: Self.options))
        let refusal = SpeakerRawPeerTests.next(c) { if case .notification = $0 { true } else { false } }
        #expect(refusal == .notification(NotificationMessage(code: .openMessageError, subcode: 6, data: [0, 3])))
    }
}
