import BGP
import BGPCore
import Foundation
import NetworkCore
import Testing
import TestSupport

/// RFC 4724 on our side of a restart, against a hand-driven peer: the R bit only on the
/// first OPEN, selection deferral until the peer's End-of-RIB, End-of-RIB to every peer.
@Suite struct SpeakerGracefulRestartTests {
    static let options = BGPCodecOptions()

    static func open(gracefulRestart: Bool) -> [UInt8] {
        var capabilities: [Capability] = [.multiprotocol(.ipv4Unicast), .routeRefresh]
        if gracefulRestart {
            capabilities.append(.gracefulRestart(GracefulRestartCapability(
                restartTime: 30, families: [.init(family: .ipv4Unicast, forwardingPreserved: true)])))
        }
        return BGPMessage.open(OpenMessage(asNumber: 65003, holdTime: 90, bgpIdentifier: IPv4Address(10, 0, 0, 3),
                                           capabilities: capabilities)).encode(options: options)
    }

    /// The next message that is not a KEEPALIVE, or nil when none comes within `timeout`.
    static func next(_ peer: RawTCPClient, timeout: Double = 5) -> BGPMessage? {
        while let bytes = peer.receive(timeout: timeout) {
            guard let message = try? BGPMessage.decode(bytes, options: options) else { return nil }
            if message != .keepalive { return message }
        }
        return nil
    }

    static func restartBit(_ message: BGPMessage?) -> Bool? {
        guard case .open(let open)? = message else { return nil }
        return open.gracefulRestart?.restarting
    }

    @Test func afterOurRestartTheRBitIsOnTheFirstOpenOnlyAndUpdatesWaitForTheirEndOfRIB() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let config = fixture.config(0, peers: [2], originate: ["10.1.0.0/24"], gracefulRestart: 30) { $0.passive = true }
        let a = BGPSpeaker(config: config, restarting: true)
        try await a.start()
        defer { Task { await a.shutdown() } }

        let c = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0])
        c.send(Self.open(gracefulRestart: true))
        #expect(Self.restartBit(Self.next(c)) == true)
        c.send(BGPMessage.keepalive.encode(options: Self.options))
        // Selection deferral (RFC 4724 §4.1): nothing until the peer's End-of-RIB.
        let early = Self.next(c, timeout: 2)
        #expect(early == nil, "sent before the peer's End-of-RIB: \(String(describing: early))")
        c.send(BGPMessage.update(.endOfRIB(.ipv4Unicast)).encode(options: Self.options))
        guard case .update(let table)? = Self.next(c) else {
            Issue.record("no UPDATE after the End-of-RIB")
            return
        }
        #expect(table.nlri.map(\.description) == ["10.1.0.0/24"])
        #expect(Self.next(c) == .update(.endOfRIB(.ipv4Unicast)))
        await a.initialRoutesComplete()
        c.close()

        // The session is back: a new OPEN no longer says we are restarting.
        try await eventually("A sees the session go") { try await a.peer(2)?.state != "Established" }
        let again = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0])
        defer { again.close() }
        again.send(Self.open(gracefulRestart: true))
        #expect(Self.restartBit(Self.next(again)) == false)
    }

    @Test func theDeferralTimerEndsAWaitForAPeerThatSendsNoEndOfRIB() async throws {
        let fixture = try SpeakerFixture(count: 3)
        var config = fixture.config(0, peers: [2], originate: ["10.1.0.0/24"], gracefulRestart: 30) { $0.passive = true }
        config.gracefulRestart?.selectionDeferral = 2
        let a = BGPSpeaker(config: config, restarting: true)
        try await a.start()
        defer { Task { await a.shutdown() } }
        let c = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0])
        defer { c.close() }
        c.send(Self.open(gracefulRestart: true))
        _ = Self.next(c)
        c.send(BGPMessage.keepalive.encode(options: Self.options))
        guard case .update(let table)? = Self.next(c, timeout: 6) else {
            Issue.record("no UPDATE after the deferral timer")
            return
        }
        #expect(table.nlri.map(\.description) == ["10.1.0.0/24"])
    }

    /// RFC 4724 §2: End-of-RIB is sent to every peer, with or without the capability.
    @Test func endOfRIBGoesToAPeerWithoutTheCapability() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let a = BGPSpeaker(config: fixture.config(0, peers: [2], originate: ["10.1.0.0/24"]) { $0.passive = true })
        try await a.start()
        defer { Task { await a.shutdown() } }
        let c = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0])
        defer { c.close() }
        c.send(Self.open(gracefulRestart: false))
        #expect(Self.restartBit(Self.next(c)) == nil)
        c.send(BGPMessage.keepalive.encode(options: Self.options))
        guard case .update(let table)? = Self.next(c) else {
            Issue.record("no table")
            return
        }
        #expect(table.nlri.map(\.description) == ["10.1.0.0/24"])
        #expect(Self.next(c) == .update(.endOfRIB(.ipv4Unicast)))
    }
}
