import BGP
import BGPCore
import Glibc
import Foundation
import NetworkCore
import Testing
import TestSupport

/// RFC 4271 §6.8 under stress: both speakers active, started at the same moment, A with a
/// table large enough to keep its event loop busy while the connections race. Both must end
/// with one session that carries the table (the same connection on both sides: each side
/// Established and B receiving everything A sends), round after round.
@Suite(.serialized) struct SpeakerCollisionTests {
    /// Rounds per run; `TERWAY_COLLISION_ROUNDS` raises it for a longer stress run.
    static let rounds = ProcessInfo.processInfo.environment["TERWAY_COLLISION_ROUNDS"].flatMap(Int.init) ?? 3
    /// `TERWAY_COLLISION_TABLE` changes the table size (smaller: more rounds in the same time).
    static let tableSize = ProcessInfo.processInfo.environment["TERWAY_COLLISION_TABLE"].flatMap(Int.init) ?? 70_000

    @Test func bothActiveStartsAgreeOnOneSessionThatCarriesTheTable() async throws {
        for round in 0..<Self.rounds {
            let fixture = try SpeakerFixture(count: 2)
            var config = fixture.config(0, peers: [1])
            config.originate = (0..<Self.tableSize).map { i in
                OriginateConfig(prefix: IPPrefix("\(10 + (i >> 16)).\(i >> 8 & 255).\(i & 255).0/24")!)
            }
            let log = SpeakerLog()
            let a = BGPSpeaker(config: config, log: { log.append("A: \($0)") })
            let b = BGPSpeaker(config: fixture.config(1, peers: [0]), log: { log.append("B: \($0)") })
            let started = Date()
            if round.isMultiple(of: 2) {
                // One after the other, as a table test starts them: A's table is built while
                // its first connect fails, and B connects while A retries.
                try await a.start()
                try await b.start()
            } else {
                async let startA: Void = a.start()
                async let startB: Void = b.start()
                _ = try await (startA, startB)
            }
            do {
                // Longer than one lost collision's IdleHold (5 s) and its retry: a speaker that
                // retries converges; one whose sides disagree never does.
                try await eventually("round \(round): B learns all \(Self.tableSize) prefixes", timeout: 30) {
                    try await b.peer(0)?.prefixesAccepted == Self.tableSize
                }
                let states = [try await a.peer(1)?.state, try await b.peer(0)?.state]
                #expect(states == ["Established", "Established"], "round \(round)")
                print("round \(round): table carried after \(Int(Date().timeIntervalSince(started) * 1000)) ms")
                if ProcessInfo.processInfo.environment["TERWAY_COLLISION_LOG"] != nil { print(log.lines.joined(separator: "\n")) }
            } catch {
                let seen = (try? await b.peer(0)).map { "\($0)" } ?? "none", from = (try? await a.peer(1)).map { "\($0)" } ?? "none"
                Issue.record("\(error)\nB's session with A: \(seen)\nA's session with B: \(from)\n\(log.lines.joined(separator: "\n"))")
            }
            await a.shutdown()
            await b.shutdown()
        }
    }
}

extension SpeakerCollisionTests {
    /// The race both sides lose under RFC 4271 §6.8 as written: A (10.0.0.1) connects to C
    /// (10.0.0.3) and C to A. On A's connection X, C answers OPEN and KEEPALIVE, so X is
    /// Established at A while C still holds it in OpenConfirm; then C's OPEN on its own
    /// connection Y arrives. C, in OpenConfirm, keeps Y (initiated by the higher identifier)
    /// and sends Cease 6/7 on X. A, if it closes the newer Y because X is Established, loses
    /// both: the two sides disagree. With collision detection in Established too
    /// (CollisionDetectEstablishedState, RFC 4271 §8.1.1) A keeps Y as C does.
    @Test func aCollisionWithAFreshlyEstablishedConnectionKeepsTheOneThePeerKeeps() async throws {
        let fixture = try SpeakerFixture(count: 3)
        let listener = try RawTCPClient.listen(on: "127.0.0.3", port: fixture.ports[2])
        defer { Glibc.close(listener) }
        let a = BGPSpeaker(config: fixture.config(0, peers: [2]) { $0.connectRetryTime = 30 })
        try await a.start()
        defer { Task { await a.shutdown() } }
        let options = BGPCodecOptions()
        let open = BGPMessage.open(OpenMessage(asNumber: 65003, holdTime: 90, bgpIdentifier: IPv4Address(10, 0, 0, 3),
                                               capabilities: [.multiprotocol(.ipv4Unicast)])).encode(options: options)
        let keepalive = BGPMessage.keepalive.encode(options: options)
        func next(_ peer: RawTCPClient, _ wanted: (BGPMessage) -> Bool) -> BGPMessage? {
            while let bytes = peer.receive(timeout: 5) {
                if let message = try? BGPMessage.decode(bytes, options: options), wanted(message) { return message }
            }
            return nil
        }
        func isOpen(_ message: BGPMessage) -> Bool { if case .open = message { true } else { false } }
        func isKeepalive(_ message: BGPMessage) -> Bool { if case .keepalive = message { true } else { false } }

        let x = try #require(RawTCPClient(acceptingOn: listener, timeout: 5), "A connects to C")
        defer { x.close() }
        #expect(next(x, isOpen) != nil)
        // C (OpenSent on X) takes A's OPEN: OpenConfirm, KEEPALIVE. A goes OpenConfirm on X.
        x.send(open)
        #expect(next(x, isKeepalive) != nil)
        // C's own connection Y reaches A while X is in OpenConfirm there: A answers with an OPEN.
        let y = try RawTCPClient(from: "127.0.0.3", to: "127.0.0.1", port: fixture.ports[0])
        defer { y.close() }
        #expect(next(y, isOpen) != nil)
        // C's KEEPALIVE on X makes X Established at A.
        x.send(keepalive)
        try await eventually("X Established at A", timeout: 5) { try await a.peer(2)?.state == "Established" }
        // C takes A's OPEN on Y with X in OpenConfirm: C keeps Y (its own, higher identifier),
        // closes X with Cease 6/7 and sends its OPEN and KEEPALIVE on Y.
        // Its OPEN on Y reaches A before the Cease on X does.
        y.send(open)
        try await Task.sleep(for: .milliseconds(300))
        x.send(BGPMessage.notification(.cease(.connectionCollisionResolution)).encode(options: options))
        y.send(keepalive)
        // A must keep Y too: its KEEPALIVE on Y, and a session that stays.
        #expect(next(y, isKeepalive) != nil, "A closed Y: both connections lost")
        try await eventually("the session on Y", timeout: 5) { try await a.peer(2)?.state == "Established" }
    }
}

/// The speakers' log lines in order, shown when a round fails.
final class SpeakerLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    private let start = Date()

    func append(_ line: String) {
        let ms = Int(Date().timeIntervalSince(start) * 1000)
        lock.withLock { stored.append("\(ms) ms \(line)") }
    }

    var lines: [String] { lock.withLock { stored } }
}
