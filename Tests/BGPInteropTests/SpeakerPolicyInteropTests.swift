import Foundation
import Testing
import TestSupport

/// Issue 17 against real daemons: RFC 8212 import and export policy, and the helper side
/// of graceful restart (RFC 4724 §4.2).
@Suite("terway-edge bgp serve: policy and graceful-restart helper against reference daemons")
struct SpeakerPolicyInteropTests {
    /// The gateway announces a more-specific of our pod subnet (10.0.1.0/24, what we
    /// originate) and a /32 inside it: both would capture our pods' traffic. The import list
    /// refuses them and takes the gateway's ranges; `bgp routes --rejected` says why.
    @Test("import list: a more-specific of our own subnet is refused and shown as rejected, the rest learned",
          arguments: [DaemonKind.bird, .frr])
    func importListRefusesOurOwnSubnet(_ kind: DaemonKind) throws {
        let p = try SpeakerPeering(kind, label: "pol", policy: {
            $0.importFilter = ["reject 10.0.1.0/24 le 32", "10.0.0.0/8 le 24", "fd10::/16 le 64"]
            $0.exportFilter = ["10.0.1.0/24", "fd00:1::/64"]
        })
        defer { p.stop() }
        #expect(try p.speaker.waitEstablished(p.theirAddress), "\(p.logs)")
        let captures = ["10.0.1.0/25", "10.0.1.10/32"]
        let wanted: Set<String> = ["10.2.0.0/24", "fd10:2::/64"]
        try p.daemon.announce(captures + wanted.sorted() + ["10.9.0.0/28"])
        let learned = try p.speaker.waitReceived { $0.isSuperset(of: wanted) }
        #expect(learned.subtracting(SpeakerPeering.ourPrefixes) == wanted, "\(p.logs)")
        let rejected = try p.speaker.rejectedRoutes()
        #expect(rejected["10.0.1.0/25"]?.contains("import entry 0") == true, "\(rejected)")
        #expect(rejected["10.0.1.10/32"]?.contains("import entry 0") == true, "\(rejected)")
        // 10.9.0.0/28 is longer than the list's le 24: no entry matches.
        #expect(rejected["10.9.0.0/28"]?.contains("no import entry") == true, "\(rejected)")
        #expect(try p.daemon.waitReceived { $0.isSuperset(of: SpeakerPeering.ourPrefixes) }
            .isSuperset(of: SpeakerPeering.ourPrefixes), "\(p.logs)")

        // A withdrawn refused route leaves the rejected list too.
        try p.daemon.withdraw(["10.0.1.0/25"])
        let gone = try waitUntil(timeout: 10, interval: 0.2) { try p.speaker.rejectedRoutes()["10.0.1.0/25"] == nil }
        #expect(gone, "\(p.logs)")
    }

    /// RFC 8212: an eBGP session without import and export lists carries nothing either way.
    @Test("no policy on an eBGP session: nothing learned, nothing announced", arguments: [DaemonKind.bird, .frr])
    func ebgpWithoutPolicyExchangesNothing(_ kind: DaemonKind) throws {
        let p = try SpeakerPeering(kind, label: "nopol", policy: {
            $0.importFilter = nil
            $0.exportFilter = nil
        })
        defer { p.stop() }
        #expect(try p.speaker.waitEstablished(p.theirAddress), "\(p.logs)")
        try p.daemon.announce(SpeakerPeering.theirPrefixes.sorted())
        let refused = try waitUntil(timeout: 15, interval: 0.2) {
            try p.speaker.rejectedRoutes().keys.count >= SpeakerPeering.theirPrefixes.count
        }
        #expect(refused, "\(p.logs)")
        #expect(try p.speaker.receivedPrefixes().subtracting(SpeakerPeering.ourPrefixes).isEmpty, "\(p.logs)")
        #expect(try p.speaker.rejectedRoutes()["10.2.0.0/24"]?.contains("RFC 8212") == true, "\(p.logs)")
        #expect(try p.daemon.receivedPrefixes().isDisjoint(with: SpeakerPeering.ourPrefixes), "\(p.logs)")
    }

    /// FRR advertises the graceful-restart capability in helper mode, listing no family: a
    /// crashed FRR's routes must go at once, not after its 120 s restart time.
    @Test("graceful-restart helper: a crashed FRR that lists no family loses its routes at once")
    func crashedPeerWithoutPreservedFamiliesIsFlushed() throws {
        let p = try SpeakerPeering(.frr, label: "grh", gracefulRestartTime: 60)
        defer { p.stop() }
        #expect(try p.speaker.waitEstablished(p.theirAddress), "\(p.logs)")
        try p.daemon.announce(SpeakerPeering.theirPrefixes.sorted())
        #expect(try p.speaker.waitReceived { $0.isSuperset(of: SpeakerPeering.theirPrefixes) }
            .isSuperset(of: SpeakerPeering.theirPrefixes), "\(p.logs)")
        p.daemon.process.signal(SIGKILL)
        let flushed = try waitUntil(timeout: 8, interval: 0.2) {
            try p.speaker.receivedPrefixes().isDisjoint(with: SpeakerPeering.theirPrefixes)
        }
        #expect(flushed, "\(p.logs)")
    }

    /// BIRD with graceful restart lists its families: its routes stay (stale).
    @Test("graceful-restart helper: a crashed BIRD that lists its families keeps its routes")
    func crashedPeerPreservingForwardingKeepsItsRoutes() throws {
        let p = try SpeakerPeering(.bird, label: "grk", gracefulRestartTime: 60, theirs: { $0.gracefulRestart = true })
        defer { p.stop() }
        #expect(try p.speaker.waitEstablished(p.theirAddress), "\(p.logs)")
        try p.daemon.announce(SpeakerPeering.theirPrefixes.sorted())
        #expect(try p.speaker.waitReceived { $0.isSuperset(of: SpeakerPeering.theirPrefixes) }
            .isSuperset(of: SpeakerPeering.theirPrefixes), "\(p.logs)")
        p.daemon.process.signal(SIGKILL)
        let down = try waitUntil(timeout: 15, interval: 0.2) { try !p.speaker.isEstablished(p.theirAddress) }
        #expect(down, "\(p.logs)")
        Thread.sleep(forTimeInterval: 3)
        #expect(try p.speaker.receivedPrefixes().isSuperset(of: SpeakerPeering.theirPrefixes), "\(p.logs)")
    }
}
