import Foundation
import TestSupport

/// A full table originated from configuration by a sender in `left` (10.254.0.1, AS 65002)
/// towards a BIRD receiver in `right` (10.254.0.2, AS 65001); timed from the sender's start.
enum Sending {
    static func run(_ name: String, prefixes: [String], cap: Double,
                    start: (BGPTestLink, [String]) throws -> (pid: Int32, stop: () -> Void)) throws -> Measurement {
        let link = try BGPTestLink("send")
        let receiver = try BGPBirdDaemon(in: link.right, setup: BGPDaemonSetup(
            localAS: 65001, routerID: link.rightV4, listenAddresses: [link.rightV4], nextHop4: link.rightV4,
            neighbors: [BGPNeighbor(address: link.leftV4, asn: 65002, holdTime: 240)]))
        defer { receiver.stop() }
        let begin = Date()
        let sender = try start(link, prefixes)
        defer { sender.stop() }
        print(String(format: "  %@ as sender: configuration loaded, control interface up after %.2f s, RSS %@",
                     name, Date().timeIntervalSince(begin), Measurement.megabytes(Measurement.memory(of: sender.pid).rss)))
        let (seconds, reached) = Measurement.wait(for: prefixes.count, since: begin, cap: cap, interval: 0.05,
                                                  count: receiver.routeCount)
        let memory = Measurement.memory(of: sender.pid)
        let result = Measurement(name: name, seconds: seconds, cap: cap, reached: reached,
                                 rssBytes: memory.rss, peakRSSBytes: memory.peak)
        print("  \(name) as sender: \(result.timeText), RSS \(Measurement.megabytes(memory.rss))")
        return result
    }

    /// How long a sender may take to load its configuration.
    static let startCap: Double = 120

    static func receiverPeer(_ link: BGPTestLink) -> BGPNeighbor {
        BGPNeighbor(address: link.rightV4, asn: 65001, holdTime: 240)
    }

    static func speaker(_ link: BGPTestLink, _ prefixes: [String]) throws -> (pid: Int32, stop: () -> Void) {
        let speaker = try SpeakerSender(in: link.left, localAS: 65002, routerID: link.leftV4,
                                        peer: receiverPeer(link), prefixes: prefixes, startTimeout: startCap)
        return (speaker.process.pid, speaker.stop)
    }

    static func bird(_ link: BGPTestLink, _ prefixes: [String]) throws -> (pid: Int32, stop: () -> Void) {
        let bird = try BGPBirdDaemon(in: link.left, setup: BGPDaemonSetup(
            localAS: 65002, routerID: link.leftV4, listenAddresses: [link.leftV4], nextHop4: link.leftV4,
            neighbors: [receiverPeer(link)]), originating: prefixes)
        return (bird.process.pid, bird.stop)
    }
}
