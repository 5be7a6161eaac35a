import Foundation
import Testing
import TestSupport

/// RFC 9687 over a real link (veth, MTU 1500), where a peer that reads nothing fills the
/// socket buffers after a few hundred kilobytes.
@Suite("terway-edge bgp serve: send hold timer")
struct SpeakerSendHoldTests {
    typealias R = RawMessage

    @Test("a peer that sends KEEPALIVEs but reads nothing is dropped with NOTIFICATION 8")
    func aPeerThatStopsReadingIsDropped() throws {
        let link = try BGPTestLink("shold")
        let directory = try TemporaryDirectory("te-shold")
        // 500,000 /24s: about 2 MB of UPDATEs.
        try directory.write("table.txt", (0..<500_000).map { "\(16 + $0 >> 16).\($0 >> 8 & 0xFF).\($0 & 0xFF).0/24" }
            .joined(separator: "\n") + "\n")
        let speaker = try BGPSpeakerProcess(
            in: link.left, localAS: 65002, routerID: link.leftV4, listen: "\(link.leftV4):179",
            peers: [.init(BGPNeighbor(address: link.rightV4, asn: 65001, holdTime: 30, passive: true),
                          extraYAML: "    sendHoldTime: 3\n")],
            originate: [], extraYAML: "originateFile: \(directory.file("table.txt"))\n")
        defer { speaker.stop() }
        var connection: BGPRawPeer?
        // The bounds below only end a hang: the speaker starts, and writes 2 MB until the
        // buffers fill, slowly on a loaded machine; the send hold time is the speaker's own.
        _ = waitUntil(timeout: 60, interval: 0.2) {
            connection = try? BGPRawPeer(in: link.right, connectTo: link.leftV4)
            return connection != nil
        }
        let peer = try #require(connection, "cannot connect")
        #expect(peer.receive()?.type == 1, "no OPEN from the speaker")
        try peer.send(R.open())
        try peer.send(R.keepalive)
        // Seen in the log, not by polling the control socket: under load the session may be
        // Established and already dropped (3 s without a write) between two polls.
        #expect(waitUntil(timeout: 60) { speaker.logTail().contains("OpenConfirm -> Established") }, "\(speaker.logTail())")
        // From here on nothing is read; KEEPALIVEs keep the hold timer happy.
        let dropped = try waitUntil(timeout: 60, interval: 1) {
            try? peer.send(R.keepalive)
            guard let error = try speaker.lastError(of: link.rightV4) else { return false }
            return error.code == 8
        }
        #expect(dropped, "\(String(describing: try? speaker.peer(link.rightV4)))\n\(speaker.logTail())")
    }
}
