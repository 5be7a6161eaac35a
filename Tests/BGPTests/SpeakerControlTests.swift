@testable import BGP
import BGPCore
import Foundation
import NetworkCore
import Testing
import TestSupport

/// Issue 17 item 7: the control socket never blocks the event loop, and peers can be
/// cleared, disabled and enabled at run time.
@Suite(.serialized) struct SpeakerControlTests {
    /// A speaker that accepts but never answers (hung) fails the client after its timeout
    /// instead of holding the CLI, or a test, forever: the hang that left a `bgp serve` behind.
    @Test func aSilentControlSocketTimesOut() throws {
        let directory = try TemporaryDirectory("te-ctl")
        let path = directory.file("silent.sock")
        let server = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(server) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0 && listen(server, 4) == 0)
        let started = ContinuousClock.now
        #expect(throws: ControlClient.Failure.self) {
            try ControlClient.send(ControlRequest(command: "peers"), to: path, timeout: .milliseconds(500))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func disableKeepsAPeerDownUntilEnableAndClearResetsIt() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1], originate: ["10.1.0.0/24"]))
        let b = BGPSpeaker(config: fixture.config(1, peers: [0]))
        try await a.start()
        try await b.start()
        defer { Task { await a.shutdown(); await b.shutdown() } }
        try await eventually("B learns A's prefix") { try await b.routePrefixes() == ["10.1.0.0/24"] }

        try await a.control(.disable, peer: SpeakerFixture.address(1))
        try await eventually("B sees Cease 6/2") {
            let peer = try await b.peer(0)
            return peer?.state != "Established" && peer?.lastError?.code == 6 && peer?.lastError?.subcode == 2
        }
        // B keeps trying (connect retry 1 s); A refuses it while disabled.
        try await Task.sleep(for: .seconds(3))
        #expect(try await a.peer(1)?.state == "Idle")
        #expect(try await b.routePrefixes().isEmpty)

        try await a.control(.enable, peer: SpeakerFixture.address(1))
        try await eventually("the session is back") { try await a.peer(1)?.state == "Established" }

        try await a.control(.clear, peer: SpeakerFixture.address(1))
        try await eventually("B sees Cease 6/4") { try await b.peer(0)?.lastError?.subcode == 4 }
        try await eventually("the session is back after the clear") {
            try await a.peer(1)?.state == "Established"
        }
        await #expect(throws: SpeakerError.self) { try await a.control(.clear, peer: IPAddress("127.0.0.9")!) }
    }

    /// `routes` over the control socket on a large table: the listing is built off the
    /// loop, which stays free meanwhile (measured from a thread of its own, so that a busy
    /// test runner does not count), and the pages add up to the whole table.
    @Test func aLargeRouteListingDoesNotBlockTheEventLoop() async throws {
        let fixture = try SpeakerFixture(count: 1)
        var config = fixture.config(0, peers: [])
        config.originate = (0..<200_000).map {
            OriginateConfig(prefix: IPPrefix(network: .v4(IPv4Address(UInt32(0x1000_0000 + ($0 << 8)))), length: 24)!)
        }
        let a = BGPSpeaker(config: config)
        try await a.start()
        defer { Task { await a.shutdown() } }
        let socket = config.controlSocket
        let listing = Task.detached { try ControlClient.send(ControlRequest(command: "routes"), to: socket).routes?.count }
        let loop = a.loop
        let slowest = await withCheckedContinuation { (done: CheckedContinuation<Duration, Never>) in
            Thread {
                var slowest: Duration = .zero
                let clock = ContinuousClock()
                let until = clock.now + .seconds(3)
                while clock.now < until {
                    slowest = max(slowest, clock.measure { try? loop.submit {}.wait() })
                    Thread.sleep(forTimeInterval: 0.02)
                }
                done.resume(returning: slowest)
            }.start()
        }
        #expect(try await listing.value == 200_000)
        #expect(slowest < .milliseconds(500), "the loop was busy for \(slowest) while the routes were listed")
    }
}
