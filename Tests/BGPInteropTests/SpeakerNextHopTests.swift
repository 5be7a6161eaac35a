import Foundation
import Testing
import TestSupport

/// Next-hop reachability against the live speaker (`bgp serve` in a `te-` namespace, with a
/// kernel table): a single-hop eBGP peer's route through a next hop on none of our networks
/// is neither selected nor installed, shows in `routes --rejected`, and is selected and
/// installed once an address of that network appears on our side (and goes when it goes).
@Suite struct SpeakerNextHopTests {
    /// 10.9.`n`.0/24 via `hop`, from a peer in AS 65001.
    static func announce(_ n: Int, via hop: [UInt8]) -> [UInt8] {
        RawMessage.update(attributes: RawMessage.origin + RawMessage.asPath + RawMessage.attribute(0x40, 3, hop),
                          nlri: RawMessage.prefix(n))
    }

    /// Routes of protocol 206 in the left namespace's main table: `10.9.1.0/24 via 10.254.0.2`.
    static func installed(_ ns: TestNamespace) throws -> Set<String> {
        let lines = try ns.exec(["ip", "-4", "route", "show", "table", "main", "proto", "206"]).stdout.split(separator: "\n")
        return Set(lines.compactMap { line in
            let words = line.split(separator: " ")
            return words.count >= 3 && words[1] == "via" ? "\(words[0]) via \(words[2])" : nil
        })
    }

    @Test func routeThroughAnUnconnectedNextHopWaitsForItsNetwork() throws {
        let link = try BGPTestLink("nhop")
        let speaker = try BGPSpeakerProcess(
            in: link.left, localAS: 65002, routerID: link.leftV4, listen: "\(link.leftV4):179",
            peers: [.init(BGPNeighbor(address: link.rightV4, asn: 65001, holdTime: 30, passive: true))],
            originate: [], extraYAML: "kernel:\n  table: 254\n  protocol: 206\n")
        defer { speaker.stop() }
        var connection: BGPRawPeer?
        _ = waitUntil(timeout: 10, interval: 0.2) {
            connection = try? BGPRawPeer(in: link.right, connectTo: link.leftV4)
            return connection != nil
        }
        let peer = try #require(connection, "cannot connect\n\(speaker.logTail())")
        #expect(peer.receive()?.type == 1)
        try peer.send(RawMessage.open() + RawMessage.keepalive)
        try #require(try waitUntil(timeout: 5, interval: 0.05) { try speaker.isEstablished(link.rightV4) },
                     "\(speaker.logTail())")
        // 10.9.1.0/24 via the peer (on the link), 10.9.2.0/24 via 10.77.0.1 (on no network of ours).
        try peer.send(Self.announce(1, via: [10, 254, 0, 2]) + Self.announce(2, via: [10, 77, 0, 1]) + RawMessage.keepalive)
        let direct: Set<String> = ["10.9.1.0/24 via 10.254.0.2"]
        let both: Set<String> = ["10.9.1.0/24 via 10.254.0.2", "10.9.2.0/24 via 10.77.0.1"]
        var kernel = Set<String>()
        _ = try waitUntil(timeout: 10, interval: 0.1) { kernel = try Self.installed(link.left); return kernel == direct }
        #expect(kernel == direct, "\(speaker.logTail())")
        #expect(try speaker.receivedPrefixes() == ["10.9.1.0/24"])
        #expect(try speaker.rejectedRoutes()["10.9.2.0/24"]?.contains("not on a connected network") == true)

        // Our side gets an address on 10.77.0.0/24: the route is selected and installed.
        try link.left.exec(["ip", "addr", "add", "10.77.0.2/24", "dev", "bgpl"])
        _ = try waitUntil(timeout: 10, interval: 0.1) { kernel = try Self.installed(link.left); return kernel == both }
        #expect(kernel == both, "\(speaker.logTail())")
        #expect(try speaker.receivedPrefixes() == ["10.9.1.0/24", "10.9.2.0/24"])
        #expect(try speaker.rejectedRoutes()["10.9.2.0/24"] == nil)

        // And loses it: the route leaves the Loc-RIB and the kernel, the session stays.
        try link.left.exec(["ip", "addr", "del", "10.77.0.2/24", "dev", "bgpl"])
        _ = try waitUntil(timeout: 10, interval: 0.1) { kernel = try Self.installed(link.left); return kernel == direct }
        #expect(kernel == direct, "\(speaker.logTail())")
        #expect(try speaker.isEstablished(link.rightV4))
    }
}
