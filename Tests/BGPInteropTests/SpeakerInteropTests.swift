import BGPCore
import Foundation
import Testing
import TestSupport

/// `terway-edge bgp serve` against BIRD 2, FRR, GoBGP and ExaBGP, each in its own pair of
/// `te-` namespaces; all cases run in parallel, each takes a few hold times at most.
@Suite("terway-edge bgp serve interoperates with reference daemons")
struct SpeakerInteropTests {
    @Test("session up, IPv4 and IPv6 routes both ways, withdraw, Cease removes our routes",
          arguments: DaemonKind.allCases)
    func routesBothWays(_ kind: DaemonKind) throws {
        let p = try SpeakerPeering(kind, label: "rt")
        defer { p.stop() }
        #expect(try p.speaker.waitEstablished(p.theirAddress), "\(p.logs)")
        #expect(try p.daemon.waitEstablished(p.ourAddress), "\(p.logs)")

        try p.daemon.announce(SpeakerPeering.theirPrefixes.sorted())
        let atDaemon = try p.daemon.waitReceived { $0.isSuperset(of: SpeakerPeering.ourPrefixes) }
        // IPv6 over the IPv4 session: the speaker's next hop is its global IPv6 address on the
        // link (BIRD 2 refuses an IPv4-mapped one with "mismatched address family").
        #expect(atDaemon.isSuperset(of: SpeakerPeering.ourPrefixes), "\(p.logs)")
        let atUs = try p.speaker.waitReceived { $0.isSuperset(of: SpeakerPeering.theirPrefixes) }
        #expect(atUs.isSuperset(of: SpeakerPeering.theirPrefixes), "\(p.logs)")

        try p.daemon.withdraw(SpeakerPeering.theirPrefixes.sorted())
        let afterWithdraw = try p.speaker.waitReceived { $0.isDisjoint(with: SpeakerPeering.theirPrefixes) }
        #expect(afterWithdraw.isDisjoint(with: SpeakerPeering.theirPrefixes), "\(p.logs)")

        // SIGTERM without graceful restart: Cease, and the daemon drops what we announced.
        p.speaker.stop()
        let afterStop = try p.daemon.waitReceived { $0.isDisjoint(with: SpeakerPeering.ourPrefixes) }
        #expect(afterStop.isDisjoint(with: SpeakerPeering.ourPrefixes), "\(p.logs)")
    }

    @Test("TCP-MD5 and GTSM: up with the right password, never up with a wrong one",
          arguments: DaemonKind.allCases)
    func md5(_ kind: DaemonKind) throws {
        let good = try SpeakerPeering(kind, label: "md5g",
                                      ours: { $0.password = "s3cret"; $0.ttlSecurity = true },
                                      theirs: { $0.password = "s3cret"; $0.ttlSecurity = true })
        defer { good.stop() }
        let bad = try SpeakerPeering(kind, label: "md5b",
                                     ours: { $0.password = "wrong" }, theirs: { $0.password = "s3cret" })
        defer { bad.stop() }
        #expect(try good.speaker.waitEstablished(good.theirAddress), "\(good.logs)")
        #expect(try good.daemon.waitEstablished(good.ourAddress), "\(good.logs)")
        // Several connect retries of both sides fit in this window; none may get through.
        let badUp = try waitUntil(timeout: 6, interval: 0.25) {
            try bad.speaker.isEstablished(bad.theirAddress) || bad.daemon.isEstablished(bad.ourAddress)
        }
        #expect(!badUp, "\(bad.logs)")
    }

    @Test("hold timer expiry is detected when the peer goes silent (SIGSTOP)",
          arguments: DaemonKind.allCases)
    func holdTimerExpiry(_ kind: DaemonKind) throws {
        let p = try SpeakerPeering(kind, label: "hold", ours: { $0.holdTime = 3 }, theirs: { $0.holdTime = 3 })
        defer { p.stop() }
        #expect(try p.speaker.waitEstablished(p.theirAddress), "\(p.logs)")
        p.daemon.pause()
        defer { p.daemon.resume() }
        // Hold time 3 s: expiry within 3 s of the last KEEPALIVE, plus polling slack.
        let expired = try waitUntil(timeout: 8, interval: 0.2) {
            guard try !p.speaker.isEstablished(p.theirAddress), let error = try p.speaker.lastError(of: p.theirAddress)
            else { return false }
            return error.code == 4 && error.subcode == 0
        }
        #expect(expired, "peer \(String(describing: try? p.speaker.peer(p.theirAddress)))\n\(p.logs)")
    }

    /// ExaBGP is left out: it keeps no RIB, so it cannot retain our routes as stale while we
    /// restart (its graceful-restart capability only advertises); BIRD, FRR and GoBGP can.
    @Test("graceful restart: the peer keeps our routes while we restart", arguments: [DaemonKind.bird, .frr, .gobgp])
    func gracefulRestart(_ kind: DaemonKind) throws {
        let p = try SpeakerPeering(kind, label: "gr", gracefulRestartTime: 60,
                                   theirs: { $0.gracefulRestart = true })
        defer { p.stop() }
        #expect(try p.daemon.waitEstablished(p.ourAddress), "\(p.logs)")
        let ours = SpeakerPeering.ourPrefixes
        let before = try p.daemon.waitReceived { $0.isSuperset(of: ours) }
        #expect(before.isSuperset(of: ours), "\(p.logs)")

        // A crash: no NOTIFICATION. The peer sees the session drop and must keep our routes.
        p.speaker.kill()
        let dropped = try waitUntil(timeout: 20, interval: 0.2) { try !p.daemon.isEstablished(p.ourAddress) }
        #expect(dropped, "\(p.logs)")
        Thread.sleep(forTimeInterval: 1)
        #expect(try p.daemon.receivedPrefixes().isSuperset(of: ours), "\(p.logs)")

        try p.speaker.restart()
        #expect(try p.daemon.waitEstablished(p.ourAddress), "\(p.logs)")
        // After the End-of-RIB the routes are fresh again, not stale-and-flushed.
        Thread.sleep(forTimeInterval: 2)
        #expect(try p.daemon.receivedPrefixes().isSuperset(of: ours), "\(p.logs)")
    }

    @Test("max-prefix: more than the configured prefixes ends the session with Cease 6/1",
          arguments: DaemonKind.allCases)
    func maxPrefix(_ kind: DaemonKind) throws {
        let p = try SpeakerPeering(kind, label: "maxp", ours: { $0.maxPrefixes = 3 })
        defer { p.stop() }
        #expect(try p.speaker.waitEstablished(p.theirAddress), "\(p.logs)")
        try p.daemon.announce(["10.3.0.0/24", "10.3.1.0/24", "10.3.2.0/24"])
        let three = try p.speaker.waitReceived { $0.isSuperset(of: ["10.3.0.0/24", "10.3.1.0/24", "10.3.2.0/24"]) }
        #expect(three.count >= 3, "at the limit: \(p.logs)")
        #expect(try p.speaker.isEstablished(p.theirAddress), "at the limit: \(p.logs)")

        try p.daemon.announce(["10.3.3.0/24", "10.3.4.0/24"])
        let tripped = try waitUntil(timeout: 10, interval: 0.2) {
            guard let error = try p.speaker.lastError(of: p.theirAddress) else { return false }
            return error.code == 6 && error.subcode == 1
        }
        #expect(tripped, "peer \(String(describing: try? p.speaker.peer(p.theirAddress)))\n\(p.logs)")
    }
}
