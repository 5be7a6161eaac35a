import BGPCore
import Foundation
import TestSupport

/// A receiver under test: its PID (for RSS), how many feed prefixes it holds, how to stop it.
struct Receiver {
    let pid: Int32
    let count: () throws -> Int
    let stop: () -> Void
}

/// The feed sent over a raw session from `left` (10.254.0.1, AS 65001) to a passive receiver
/// in `right` (10.254.0.2, AS 65002).
enum Receiving {
    static let receiverAS: UInt32 = 65002

    static func run(_ name: String, feed: Feed, cap: Double,
                    start: (BGPTestLink) throws -> Receiver) throws -> Measurement {
        let link = try BGPTestLink("bench")
        let receiver = try start(link)
        defer { receiver.stop() }
        var connection: BGPRawPeer?
        _ = waitUntil(timeout: 20, interval: 0.1) {
            connection = try? BGPRawPeer(in: link.left, connectTo: link.rightV4)
            return connection != nil
        }
        guard let peer = connection else { throw TestEnvironmentError("\(name) does not accept the feed's session") }
        try peer.send(feed.open)
        guard waitFor(type: 1, from: peer) else { throw TestEnvironmentError("\(name) sent no OPEN") }
        try peer.send(feed.keepalive)
        guard waitFor(type: 4, from: peer) else { throw TestEnvironmentError("\(name) did not confirm the session") }

        // The feed is written on its own thread, as fast as the socket takes it, while this
        // one polls the receiver's RIB.
        let start = Date()
        let sender = Thread { try? peer.send(feed.updates) }
        sender.start()
        let (seconds, reached) = Measurement.wait(for: feed.count, since: start, cap: cap,
                                                  interval: name == "GoBGP" ? 1 : 0.05, count: receiver.count)
        let memory = Measurement.memory(of: receiver.pid)
        let result = Measurement(name: name, seconds: seconds, cap: cap, reached: reached,
                                 rssBytes: memory.rss, peakRSSBytes: memory.peak)
        print("  \(name): \(result.timeText), RSS \(Measurement.megabytes(memory.rss))")
        return result
    }

    private static func waitFor(type: UInt8, from peer: BGPRawPeer) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard let message = peer.receive(timeout: deadline.timeIntervalSinceNow) else { return false }
            if message.type == type { return true }
        }
        return false
    }

    static func feedPeer(_ link: BGPTestLink) -> BGPNeighbor {
        BGPNeighbor(address: link.leftV4, asn: Feed.senderAS, holdTime: 240, passive: true)
    }

    static func speaker(_ link: BGPTestLink) throws -> Receiver {
        let speaker = try BGPSpeakerProcess(in: link.right, localAS: receiverAS, routerID: link.rightV4,
                                            listen: "\(link.rightV4):179", peers: [.init(feedPeer(link))],
                                            originate: [])
        return Receiver(pid: speaker.process.pid, count: {
            try speaker.peer(link.leftV4)?["prefixesAccepted"] as? Int ?? 0
        }, stop: { speaker.stop() })
    }

    static func bird(_ link: BGPTestLink) throws -> Receiver {
        let bird = try BGPBirdDaemon(in: link.right, setup: BGPDaemonSetup(
            localAS: receiverAS, routerID: link.rightV4, listenAddresses: [link.rightV4],
            nextHop4: link.rightV4, neighbors: [feedPeer(link)]))
        return Receiver(pid: bird.process.pid, count: bird.routeCount, stop: bird.stop)
    }

    static func gobgp(_ link: BGPTestLink) throws -> Receiver {
        let gobgp = try BGPGoBGPDaemon(in: link.right, setup: BGPDaemonSetup(
            localAS: receiverAS, routerID: link.rightV4, listenAddresses: [link.rightV4],
            nextHop4: link.rightV4, neighbors: [feedPeer(link)]))
        return Receiver(pid: gobgp.process.pid, count: { try gobgp.routeCount() }, stop: gobgp.stop)
    }
}
