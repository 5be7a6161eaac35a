import BGP
import BGPCore
import Foundation
import NIOCore
import NIOEmbedded
import NetworkCore
import Testing
import TestSupport

@Suite(.serialized) struct SpeakerTests {
    @Test func twoSpeakersExchangeIPv4AndIPv6RoutesAndWithdraws() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1], originate: ["10.1.0.0/24", "fd00:1::/64"]))
        let b = BGPSpeaker(config: fixture.config(1, peers: [0], originate: ["10.2.0.0/24", "fd00:2::/64"]))
        try await a.start()
        try await b.start()
        defer { Task { await a.shutdown(); await b.shutdown() } }

        try await eventually("both sessions Established and routes exchanged") {
            let all: Set = ["10.1.0.0/24", "fd00:1::/64", "10.2.0.0/24", "fd00:2::/64"]
            let atA = try await a.routePrefixes(), atB = try await b.routePrefixes()
            // B's IPv6 route reaches A with a next hop A cannot forward to (below).
            return atA == all.subtracting(["fd00:2::/64"]) && atB == all
        }
        let learned = try await b.routes().first { $0.prefix == "10.1.0.0/24" }
        #expect(learned?.asPath == "65001" && learned?.nextHop == "127.0.0.1" && learned?.from == "127.0.0.1")
        let learned6 = try await b.routes().first { $0.prefix == "fd00:1::/64" }
        // A's session address 127.0.0.1 sits on lo beside ::1: that is A's IPv6 next hop.
        #expect(learned6?.nextHop == "::1")
        // B's 127.0.0.2 is on no interface: the IPv4-mapped form, on no network of A's, so
        // the route stays out of A's Loc-RIB (RFC 4271 §9.1.2.1) and says why.
        let learnedAtA = try await a.rejectedRoutes().first { $0.prefix == "fd00:2::/64" }
        #expect(learnedAtA?.nextHop == "::ffff:7f00:2" && learnedAtA?.rejected?.contains("not on a connected network") == true)
        let peer = try await a.peer(1)
        #expect(peer?.state == "Established" && peer?.prefixesAccepted == 2 && peer?.prefixesAdvertised == 2)

        // A new prefix and a withdraw travel as UPDATEs; the session stays up.
        try await a.originate(OriginateConfig(prefix: IPPrefix("10.1.1.0/24")!,
                                              communities: [Community(asNumber: 65001, value: 7)]))
        try await a.withdraw(IPPrefix("fd00:1::/64")!)
        try await eventually("the new prefix arrives and the withdrawn one goes") {
            try await b.routePrefixes() == ["10.1.0.0/24", "10.1.1.0/24", "10.2.0.0/24", "fd00:2::/64"]
        }
        let added = try await b.routes().first { $0.prefix == "10.1.1.0/24" }
        #expect(added?.communities == ["65001:7"])
        let stillUp = try await b.peer(0)?.state
        #expect(stillUp == "Established")
    }

    @Test func aTableOriginatedAtStartArrivesWholeWithEachRunsCommunities() async throws {
        let fixture = try SpeakerFixture(count: 2)
        // A only listens: this test is about the table, and B alone connecting leaves no
        // connection collision (simultaneousStartsResolveTheCollision has those). Both active,
        // beside two CPU hogs, the session never carried the table: A ended Idle with Cease 6/7
        // (collision) while B held an Established session 3 s old with nothing received.
        var config = fixture.config(0, peers: [1]) { $0.passive = true }
        // More routes than one originate batch and one chunk of the initial update, in two
        // runs of different communities.
        config.originate = (0..<70_000).map { i in
            OriginateConfig(prefix: IPPrefix("\(10 + (i >> 16)).\(i >> 8 & 255).\(i & 255).0/24")!,
                            communities: [Community(asNumber: 65001, value: i < 5_000 ? 1 : 2)])
        }
        let a = BGPSpeaker(config: config)
        let b = BGPSpeaker(config: fixture.config(1, peers: [0]))
        try await a.start()
        try await b.start()
        defer { Task { await a.shutdown(); await b.shutdown() } }
        do {
            try await eventually("B learns all 70000 prefixes") { try await b.peer(0)?.prefixesAccepted == 70_000 }
        } catch {
            let seen = (try? await b.peer(0)).map { "\($0)" } ?? "none", from = (try? await a.peer(1)).map { "\($0)" } ?? "none"
            Issue.record("\(error)\nB's session with A: \(seen)\nA's session with B: \(from)")
            return
        }
        let routes = try await b.routes()
        #expect(routes.count == 70_000)
        #expect(routes.filter { $0.communities == ["65001:1"] }.count == 5_000)
        #expect(routes.filter { $0.communities == ["65001:2"] }.count == 65_000)
        let inside = try await b.routes(inside: IPPrefix("10.18.0.0/16")!)
        #expect(inside.map(\.prefix) == (0..<256).map { "10.18.\($0).0/24" } && inside.allSatisfy { $0.communities == ["65001:1"] })
    }

    @Test func maxPrefixTripsWithCease61AndStaysDown() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1]) { $0.prefixLimit = PrefixLimit(both: 2) })
        let b = BGPSpeaker(config: fixture.config(1, peers: [0], originate: ["10.2.0.0/24", "10.2.1.0/24", "10.2.2.0/24"]))
        try await a.start()
        try await b.start()
        defer { Task { await a.shutdown(); await b.shutdown() } }
        try await eventually("A sends Cease 6/1 to B") {
            try await b.peer(0)?.lastError?.code == 6
        }
        let tripped = try #require(try await a.peer(1))
        #expect(tripped.lastError == PeerStatus.LastError(code: 6, subcode: 1, name: "Cease / Maximum Number of Prefixes Reached"))
        let received = try await b.peer(0)?.lastError?.subcode
        #expect(received == 1)
        // B keeps trying; A refuses it and the routes are gone.
        try await Task.sleep(for: .seconds(2))
        let state = try await a.peer(1)?.state
        let routes = try await a.routes()
        #expect(state == "Idle" && routes.isEmpty)
    }

    /// `action: warn`: the session stays, the prefixes beyond the limit are refused (and
    /// say why), the ones within it are kept.
    @Test func maxPrefixWarnKeepsTheSessionAndRefusesTheRest() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1]) { $0.prefixLimit = PrefixLimit(both: 2, action: .warn) })
        let b = BGPSpeaker(config: fixture.config(1, peers: [0], originate: ["10.2.0.0/24", "10.2.1.0/24", "10.2.2.0/24"]))
        try await a.start()
        try await b.start()
        defer { Task { await a.shutdown(); await b.shutdown() } }
        try await eventually("A holds 2 prefixes and refuses the third") {
            let kept = try await a.routes().count, refused = try await a.rejectedRoutes().count
            return kept == 2 && refused == 1
        }
        let refused = try await a.rejectedRoutes()
        #expect(refused.first?.rejected == "the peer's prefix limit is reached")
        // A new announcement of a prefix A keeps is a replacement, not one more.
        try await b.originate(OriginateConfig(prefix: IPPrefix(try #require(try await a.routes().first?.prefix))!,
                                              communities: [Community(asNumber: 65002, value: 1)]))
        try await eventually("the replacement arrives") { try await a.routes().contains { !$0.communities.isEmpty } }
        try await Task.sleep(for: .seconds(1))
        let peer = try await a.peer(1)
        #expect(peer?.state == "Established" && peer?.lastError == nil && peer?.prefixesAccepted == 2)
    }

    /// `action: restart`: Cease 6/1, then the session comes back by itself after
    /// `restartAfter`; here the peer has dropped to the limit meanwhile, so it stays.
    @Test func maxPrefixRestartBringsTheSessionBackAfterTheWait() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1]) {
            $0.prefixLimit = PrefixLimit(ipv4: 2, ipv6: 2, action: .restart, restartAfter: 3)
        })
        let b = BGPSpeaker(config: fixture.config(1, peers: [0], originate: ["10.2.0.0/24", "10.2.1.0/24", "10.2.2.0/24"]))
        try await a.start()
        try await b.start()
        defer { Task { await a.shutdown(); await b.shutdown() } }
        try await eventually("A sends Cease 6/1") { try await a.peer(1)?.lastError?.subcode == 1 }
        try await b.withdraw(IPPrefix("10.2.2.0/24")!)
        // Down for the wait (B's retries are refused), then up again with B's two prefixes.
        try await Task.sleep(for: .seconds(1))
        let waiting = try await a.peer(1)?.state
        #expect(waiting != "Established")
        try await eventually("the session is back") {
            let state = try await a.peer(1)?.state, prefixes = try await a.routePrefixes()
            return state == "Established" && prefixes == ["10.2.0.0/24", "10.2.1.0/24"]
        }
    }

    @Test func connectionFromAnUnconfiguredAddressIsClosedAtOnce() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1]) { $0.passive = true })
        try await a.start()
        defer { Task { await a.shutdown() } }
        // 127.0.0.3 is not a peer: accepted by the kernel, closed by us without a byte.
        let stranger = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0])
        #expect(stranger.readUntilClosed(timeout: 2) == .closed(bytes: 0))
        // 127.0.0.2 is the configured peer: it gets our OPEN (the 19-octet header at least).
        let peer = try RawTCPClient(from: "127.0.0.2", to: "127.0.0.1", port: fixture.ports[0])
        let result = peer.readUntilClosed(timeout: 1)
        guard case .open(let bytes) = result else {
            Issue.record("configured peer was closed: \(result)")
            return
        }
        #expect(bytes >= 29)
    }

    @Test func gracefulRestartKeepsRoutesStaleUntilEndOfRIB() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let aConfig = fixture.config(0, peers: [1], originate: ["10.1.0.0/24", "10.1.1.0/24"], gracefulRestart: 30)
        let b = BGPSpeaker(config: fixture.config(1, peers: [0], gracefulRestart: 30))
        var a = BGPSpeaker(config: aConfig)
        try await a.start()
        try await b.start()
        defer { Task { await b.shutdown() } }
        try await eventually("B learns both prefixes") { try await b.routePrefixes() == ["10.1.0.0/24", "10.1.1.0/24"] }

        // A restarts gracefully: no NOTIFICATION, B keeps the routes while A is away.
        await a.shutdown()
        try await eventually("B sees the session go") { try await b.peer(0)?.state != "Established" }
        let kept = try await b.routePrefixes()
        let error = try await b.peer(0)?.lastError
        #expect(kept == ["10.1.0.0/24", "10.1.1.0/24"] && error == nil)

        // A comes back with one prefix fewer: after its End-of-RIB the stale one is gone.
        var restarted = aConfig
        restarted.originate.removeLast()
        a = BGPSpeaker(config: restarted, restarting: true)
        try await a.start()
        try await eventually("B drops the prefix A no longer announces") {
            let state = try await b.peer(0)?.state
            let prefixes = try await b.routePrefixes()
            return state == "Established" && prefixes == ["10.1.0.0/24"]
        }
        await a.shutdown()
    }

    @Test func sigtermSendsCeaseAndExitsZero() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let file = fixture.directory.file("a.yaml")
        try """
            localAS: 65001
            routerID: 10.0.0.1
            listen: 127.0.0.1:\(fixture.ports[0])
            controlSocket: \(fixture.directory.file("a.sock"))
            peers:
              - { address: 127.0.0.2, as: 65002, port: \(fixture.ports[1]), holdTime: 9, connectRetryTime: 1, import: [any], export: [any] }
            originate:
              - { prefix: 10.1.0.0/24 }
            """.write(toFile: file, atomically: true, encoding: .utf8)
        // Stopped by its PID on every way out of the test, failures too (SIGKILL after 1 s).
        let process = try BackgroundProcess([try builtExecutable("terway-edge"), "bgp", "serve", "--config", file],
                                            logFile: fixture.directory.file("a.log"))
        defer { process.terminate(grace: 1) }
        let b = BGPSpeaker(config: fixture.config(1, peers: [0]))
        try await b.start()
        defer { Task { await b.shutdown() } }
        try await eventually("the session with the serve process comes up") { try await b.routePrefixes() == ["10.1.0.0/24"] }

        // The CLI reads the same state over the control socket.
        let peers = try ControlClient.send(ControlRequest(command: "peers"), to: fixture.directory.file("a.sock"))
        #expect(peers.peers?.first?.state == "Established")

        process.signal(SIGTERM)
        try await eventually("the process exits") { !process.isRunning }
        #expect(process.terminationStatus == 0)
        try await eventually("B got Cease / Administrative Shutdown") {
            try await b.peer(0)?.lastError == PeerStatus.LastError(code: 6, subcode: 2, name: "Cease / Administrative Shutdown")
        }
        try await eventually("B withdrew the routes") { try await b.routes().isEmpty }
    }

    @Test func frameDecoderSplitsTheStreamAndStopsAtAHeaderError() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(BGPFrameDecoder()))
        let keepalive = BGPMessage.keepalive.encode(options: BGPCodecOptions())
        // Two keepalives dripped in three pieces make exactly two frames.
        let stream = keepalive + keepalive
        for piece in [stream[0..<7], stream[7..<25], stream[25...]] {
            try channel.writeInbound(channel.allocator.buffer(bytes: piece))
        }
        for _ in 0..<2 {
            guard case .message(let frame)? = try channel.readInbound(as: BGPFrame.self) else {
                Issue.record("expected a frame")
                return
            }
            #expect(Array(frame.readableBytesView) == keepalive)
        }
        #expect(try channel.readInbound(as: BGPFrame.self) == nil)
        // A broken marker is one header error (1/1), and nothing is framed after it.
        var broken = keepalive
        broken[3] = 0
        try channel.writeInbound(channel.allocator.buffer(bytes: broken + keepalive))
        guard case .headerError(let error)? = try channel.readInbound(as: BGPFrame.self) else {
            Issue.record("expected a header error")
            return
        }
        #expect(error.notification.code == .messageHeaderError && error.notification.subcode == 1)
        #expect(try channel.readInbound(as: BGPFrame.self) == nil)
        #expect(try channel.finish().isClean)
    }
}

@Suite(.serialized) struct SpeakerSecurityTests {
    /// Both sides with `password` for each other, or B with `bPassword` if given.
    func md5Session(aPassword: String, bPassword: String) async throws -> (PeerStatus?, BGPSpeaker, BGPSpeaker) {
        let fixture = try SpeakerFixture(count: 2)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1], originate: ["10.1.0.0/24"]) { $0.password = aPassword })
        let b = BGPSpeaker(config: fixture.config(1, peers: [0]) { $0.password = bPassword })
        try await a.start()
        try await b.start()
        return (try await b.peer(0), a, b)
    }

    @Test func md5SessionComesUpWithTheSameKeyOnly() async throws {
        let (_, a, b) = try await md5Session(aPassword: "s3cret", bPassword: "s3cret")
        try await eventually("MD5-signed session Established") { try await b.routePrefixes() == ["10.1.0.0/24"] }
        await a.shutdown()
        await b.shutdown()

        let (_, c, d) = try await md5Session(aPassword: "s3cret", bPassword: "wrong")
        // The kernel drops the mis-signed segments: no session in three connect-retry rounds.
        try await Task.sleep(for: .seconds(3))
        let state = try await d.peer(0)?.state
        let routes = try await d.routes()
        #expect(state != "Established" && routes.isEmpty)
        await c.shutdown()
        await d.shutdown()
    }

    @Test func gtsmAcceptsTTL255AndDropsOrdinaryTTL() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1], originate: ["10.1.0.0/24"]) { $0.ttlSecurity = 1 })
        let b = BGPSpeaker(config: fixture.config(1, peers: [0]) { $0.ttlSecurity = 1 })
        try await a.start()
        try await b.start()
        try await eventually("GTSM session Established") { try await b.routePrefixes() == ["10.1.0.0/24"] }
        await a.shutdown()
        await b.shutdown()

        // B without GTSM sends with the default TTL 64: A (minimum TTL 255) never hears it.
        let c = BGPSpeaker(config: fixture.config(0, peers: [1], originate: ["10.1.0.0/24"]) { $0.ttlSecurity = 1 })
        let d = BGPSpeaker(config: fixture.config(1, peers: [0]))
        try await c.start()
        try await d.start()
        try await Task.sleep(for: .seconds(3))
        let state = try await c.peer(1)?.state
        let routes = try await d.routes()
        #expect(state != "Established" && routes.isEmpty)
        await c.shutdown()
        await d.shutdown()
    }
}

/// A hand-driven peer against one speaker: ROUTE-REFRESH, RFC 7606 outcomes, and a broken
/// peer that must not disturb another one.
@Suite struct SpeakerRawPeerTests {
    static let options = BGPCodecOptions()

    /// Messages from the raw peer until one decodes as `wanted` (or nothing comes).
    static func next(_ peer: RawTCPClient, where wanted: (BGPMessage) -> Bool) -> BGPMessage? {
        while let bytes = peer.receive(timeout: 5) {
            if let message = try? BGPMessage.decode(bytes, options: options), wanted(message) { return message }
        }
        return nil
    }

    static func announces(_ message: BGPMessage, _ prefix: String) -> Bool {
        guard case .update(let update) = message else { return false }
        return update.nlri.map(\.prefix.description).contains(prefix)
    }

    /// An UPDATE announcing `prefix` from AS 65003 with the given ORIGIN octet.
    static func update(_ prefix: IPPrefix, origin: UInt8) -> [UInt8] {
        let attributes: [UInt8] = [0x40, 1, 1, origin,
                                   0x40, 2, 6, 2, 1, 0, 0, 0xFD, 0xEB,
                                   0x40, 3, 4, 127, 0, 0, 3]
        let nlri: [UInt8] = [24] + IPv4NLRI(prefix)!.prefix.network.bytes.prefix(3)
        let body: [UInt8] = [0, 0, 0, UInt8(attributes.count)] + attributes + nlri
        let length = 19 + body.count
        return [UInt8](repeating: 0xFF, count: 16) + [UInt8(length >> 8), UInt8(length & 0xFF), 2] + body
    }

    @Test func routeRefreshMalformedUpdatesAndIsolation() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1, 2], originate: ["10.1.0.0/24"]) { peer in
            if peer.address == SpeakerFixture.address(2) { peer.passive = true }
        })
        let b = BGPSpeaker(config: fixture.config(1, peers: [0]))
        try await a.start()
        try await b.start()
        defer { Task { await a.shutdown(); await b.shutdown() } }
        try await eventually("B learns A's prefix") { try await b.routePrefixes() == ["10.1.0.0/24"] }

        // C is a raw peer from 127.0.0.3: OPEN, KEEPALIVE, then A's table arrives.
        let c = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0])
        defer { c.close() }
        let open = OpenMessage(asNumber: 65003, holdTime: 90, bgpIdentifier: IPv4Address(10, 0, 0, 3),
                               capabilities: [.multiprotocol(.ipv4Unicast), .routeRefresh])
        c.send(BGPMessage.open(open).encode(options: Self.options))
        #expect(Self.next(c) { if case .open = $0 { true } else { false } } != nil)
        c.send(BGPMessage.keepalive.encode(options: Self.options))
        #expect(Self.next(c) { Self.announces($0, "10.1.0.0/24") } != nil)

        // ROUTE-REFRESH (RFC 2918): the Adj-RIB-Out again.
        c.send(BGPMessage.routeRefresh(RouteRefreshMessage(family: .ipv4Unicast)).encode(options: Self.options))
        #expect(Self.next(c) { Self.announces($0, "10.1.0.0/24") } != nil)

        // An invalid ORIGIN is treat-as-withdraw (RFC 7606 §7.1): the session stays, the route does not.
        c.send(Self.update(IPPrefix("10.3.0.0/24")!, origin: 5))
        c.send(Self.update(IPPrefix("10.3.1.0/24")!, origin: 0))
        try await eventually("the valid route from C arrives") { try await a.routePrefixes().contains("10.3.1.0/24") }
        let atA = try await a.routePrefixes()
        #expect(!atA.contains("10.3.0.0/24"))
        #expect(try await a.peer(2)?.state == "Established")

        // A broken header ends C's session with NOTIFICATION 1/1; B's session is untouched.
        var broken = BGPMessage.keepalive.encode(options: Self.options)
        broken[0] = 0
        c.send(broken)
        let notification = Self.next(c) { if case .notification = $0 { true } else { false } }
        #expect(notification == .notification(NotificationMessage(code: .messageHeaderError, subcode: 1)))
        try await eventually("C's route is gone") { try await !a.routePrefixes().contains("10.3.1.0/24") }
        let bState = try await a.peer(1)?.state
        let bRoutes = try await b.routePrefixes()
        #expect(bState == "Established" && bRoutes == ["10.1.0.0/24"])
    }
}

extension SpeakerRawPeerTests {
    @Test func holdTimerExpiryIsDetected() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let a = BGPSpeaker(config: fixture.config(0, peers: [2]) { $0.passive = true })
        try await a.start()
        defer { Task { await a.shutdown() } }
        let c = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0])
        defer { c.close() }
        // C proposes 3 s, confirms the session, then falls silent.
        let open = OpenMessage(asNumber: 65003, holdTime: 3, bgpIdentifier: IPv4Address(10, 0, 0, 3), capabilities: [])
        c.send(BGPMessage.open(open).encode(options: Self.options))
        c.send(BGPMessage.keepalive.encode(options: Self.options))
        try await eventually("the session is Established") { try await a.peer(2)?.state == "Established" }
        let started = Date()
        let notification = Self.next(c) { if case .notification = $0 { true } else { false } }
        #expect(notification == .notification(.holdTimerExpired))
        #expect(Date().timeIntervalSince(started) < 4.5)
        let error = try await a.peer(2)?.lastError
        #expect(error == PeerStatus.LastError(code: 4, subcode: 0, name: "Hold Timer Expired"))
    }
}

extension SpeakerTests {
    @Test func serveRefusesABadConfigNamingTheField() throws {
        let directory = try TemporaryDirectory("te-bgp")
        try directory.write("bad.yaml", "localAS: 65002\nrouterID: 10.254.0.2\npeers:\n  - {address: 10.254.0.1, as: 65001}\n  - {address: 10.254.0.3, as: 0}\n")
        let result = try run([try builtExecutable("terway-edge"), "bgp", "serve", "--config", directory.file("bad.yaml")],
                             check: false)
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.yaml: line 5: peers[1].as: expected an integer from 1 to 4294967295, found \"0\""))
    }
}

extension SpeakerTests {
    /// Both sides active and started together: each connects to the other, and collision
    /// detection (RFC 4271 §6.8) must leave one session at once, not after a connect retry.
    @Test func simultaneousStartsResolveTheCollision() async throws {
        for _ in 0..<3 {
            let fixture = try SpeakerFixture(count: 2)
            let a = BGPSpeaker(config: fixture.config(0, peers: [1], originate: ["10.1.0.0/24"]) { $0.connectRetryTime = 30 })
            let b = BGPSpeaker(config: fixture.config(1, peers: [0], originate: ["10.2.0.0/24"]) { $0.connectRetryTime = 30 })
            async let startA: Void = a.start()
            async let startB: Void = b.start()
            _ = try await (startA, startB)
            // Under the 5 s IdleHold (the clock starts once both have started): a collision
            // that lost both connections comes back only after it, so must fail here.
            try await eventually("one session, routes both ways", timeout: 4) {
                let atA = try await a.routePrefixes(), atB = try await b.routePrefixes()
                return atA.count == 2 && atB.count == 2
            }
            let states = [try await a.peer(1)?.state, try await b.peer(0)?.state]
            #expect(states == ["Established", "Established"])
            await a.shutdown()
            await b.shutdown()
        }
    }
}

extension SpeakerTests {
    /// `bgp serve` with graceful restart: SIGTERM closes without NOTIFICATION, the peer keeps
    /// our routes, the next start carries the restart state and the session returns.
    @Test func serveGracefulRestartKeepsRoutesAtThePeer() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let file = fixture.directory.file("a.yaml")
        let socket = fixture.directory.file("a.sock")
        try """
            localAS: 65001
            routerID: 10.0.0.1
            listen: 127.0.0.1:\(fixture.ports[0])
            controlSocket: \(socket)
            gracefulRestart: { restartTime: 60 }
            peers:
              - { address: 127.0.0.2, as: 65002, port: \(fixture.ports[1]), holdTime: 9, connectRetryTime: 1, import: [any], export: [any] }
            originate:
              - { prefix: 10.1.0.0/24 }
            """.write(toFile: file, atomically: true, encoding: .utf8)
        func serve(_ run: Int) throws -> BackgroundProcess {
            try BackgroundProcess([try builtExecutable("terway-edge"), "bgp", "serve", "--config", file],
                                  logFile: fixture.directory.file("serve\(run).log"))
        }
        let b = BGPSpeaker(config: fixture.config(1, peers: [0], gracefulRestart: 60))
        try await b.start()
        defer { Task { await b.shutdown() } }
        // Each run is stopped by its PID on every way out of the test (the first run had no
        // such stop: a failed wait left it running).
        let first = try serve(1)
        defer { first.terminate(grace: 1) }
        try await eventually("B learns the route") { try await b.routePrefixes() == ["10.1.0.0/24"] }

        first.signal(SIGTERM)
        try await eventually("the first run exits 0") { !first.isRunning }
        #expect(first.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: socket + ".restarting"))
        try await eventually("B sees the session end") { try await b.peer(0)?.state != "Established" }
        let kept = try await b.routePrefixes()
        let error = try await b.peer(0)?.lastError
        #expect(kept == ["10.1.0.0/24"] && error == nil)

        let second = try serve(2)
        defer { second.terminate(grace: 1) }
        try await eventually("the session returns") { try await b.peer(0)?.state == "Established" }
        #expect(!FileManager.default.fileExists(atPath: socket + ".restarting"))
        #expect(try await b.routePrefixes() == ["10.1.0.0/24"])
        second.signal(SIGTERM)
        try await eventually("the second run exits") { !second.isRunning }
    }
}

extension SpeakerTests {
    /// A -> B -> C: B passes A's route on to C only where `exportLearned` is set.
    @Test func learnedRoutesAreReExportedOnlyWhereConfigured() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1], originate: ["10.1.0.0/24"]))
        let b = BGPSpeaker(config: fixture.config(1, peers: [0, 2]) { peer in
            peer.exportLearned = peer.address == SpeakerFixture.address(2)
        })
        let c = BGPSpeaker(config: fixture.config(2, peers: [1]))
        for speaker in [a, b, c] { try await speaker.start() }
        defer { Task { for speaker in [a, b, c] { await speaker.shutdown() } } }
        try await eventually("C learns A's route through B") { try await c.routePrefixes() == ["10.1.0.0/24"] }
        let atC = try await c.routes().first
        #expect(atC?.asPath == "65002 65001" && atC?.nextHop == "127.0.0.2")
        // B does not send A's route back to A, and A withdrawing it reaches C.
        let toA = try await b.peer(0)?.prefixesAdvertised
        #expect(toA == 0)
        try await a.withdraw(IPPrefix("10.1.0.0/24")!)
        try await eventually("the withdraw travels on to C") { try await c.routes().isEmpty }
    }
}
