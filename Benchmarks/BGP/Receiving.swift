import BGPCore
import Foundation
import TestSupport

/// A receiver under test: its PID (for RSS), how many feed prefixes it holds, how to stop it.
struct Receiver {
    let pid: Int32
    let count: () throws -> Int
    let stop: () -> Void
    /// Whether the time to empty the table after the session ends is measured too (kernel rows).
    var measuresRemoval = false
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
                                                  interval: name == "GoBGP" ? 1 : name.hasSuffix("kernel table") ? 0.5 : 0.05,
                                                  count: receiver.count)
        let memory = Measurement.memory(of: receiver.pid)
        var result = Measurement(name: name, seconds: seconds, cap: cap, reached: reached,
                                 rssBytes: memory.rss, peakRSSBytes: memory.peak)
        if receiver.measuresRemoval, seconds != nil {
            // The session ends without a NOTIFICATION (the feed has no graceful restart): every
            // route is withdrawn, and the time runs until the kernel's table is empty.
            let down = Date()
            peer.shutdown()
            result.removalSeconds = Measurement.waitEmpty(since: down, cap: cap, interval: 0.5, count: receiver.count)
            result.peakWithRemovalBytes = Measurement.memory(of: receiver.pid).peak
        }
        print("  \(name): \(result.timeText), removal \(result.removalText), RSS \(Measurement.megabytes(memory.rss))")
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

    /// Our speaker with the `kernel` key: done when the kernel's table 100 holds the feed.
    static func speakerWithKernel(_ link: BGPTestLink) throws -> Receiver {
        let speaker = try BGPSpeakerProcess(in: link.right, localAS: receiverAS, routerID: link.rightV4,
                                            listen: "\(link.rightV4):179", peers: [.init(feedPeer(link))],
                                            originate: [], extraYAML: "kernel: { table: \(kernelTable) }\n")
        return Receiver(pid: speaker.process.pid, count: { try kernelPrefixes(in: link.right) }, stop: { speaker.stop() },
                        measuresRemoval: true)
    }

    /// The same with the feed's peer as `multihop: 2` and the routes into `main`: its next
    /// hops are resolved through main, whose notifications the speaker follows while a
    /// million of its own routes go in (the cost of recursive next hops against the row above).
    static func speakerResolvingNextHops(_ link: BGPTestLink) throws -> Receiver {
        let speaker = try BGPSpeakerProcess(in: link.right, localAS: receiverAS, routerID: link.rightV4,
                                            listen: "\(link.rightV4):179",
                                            peers: [.init(feedPeer(link), extraYAML: "    multihop: 2\n")],
                                            originate: [], extraYAML: "kernel: { table: 254 }\n")
        // Main already holds the link's connected routes.
        let baseline = try kernelPrefixes(in: link.right, table: "Main:")
        return Receiver(pid: speaker.process.pid, count: { max(0, try kernelPrefixes(in: link.right, table: "Main:") - baseline) },
                        stop: { speaker.stop() }, measuresRemoval: true)
    }

    /// The kernel's own floor for the same table: `ip -batch` adding every prefix to table 100
    /// of a fresh `te-` namespace, then `ip -batch` deleting them (`ip route flush table 100`
    /// gives up on a million routes: "Flush not completed after 65 seconds").
    static func ipBatch(_ name: String, count: Int) throws -> Measurement {
        let link = try BGPTestLink("bench-ip")
        let prefixes = Feed.prefixTexts(count: count)
        func timedBatch(_ command: String) throws -> Double {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("te-bench-ip-\(getpid()).batch")
            defer { try? FileManager.default.removeItem(at: file) }
            try prefixes.map { "route \(command) \($0) via \(link.leftV4) table \(kernelTable)\n" }.joined()
                .write(to: file, atomically: false, encoding: .utf8)
            let start = Date()
            try link.right.exec(["ip", "-batch", file.path])
            return Date().timeIntervalSince(start)
        }
        let install = try timedBatch("add")
        let installed = try kernelPrefixes(in: link.right)
        let removal = try timedBatch("del")
        guard installed >= count, try kernelPrefixes(in: link.right) == 0 else {
            throw TestEnvironmentError("ip -batch installed \(installed) of \(count) or left routes behind")
        }
        var result = Measurement(name: name, seconds: install, cap: 0, reached: installed, rssBytes: 0, peakRSSBytes: 0)
        result.removalSeconds = removal
        print("  \(name): \(result.timeText), removal \(result.removalText)")
        return result
    }

    static let kernelTable = 100

    /// Prefixes in the kernel's table 100 (or the one under `header`), from /proc/net/fib_triestat (a route dump of a
    /// million routes would cost the machine more than the speaker).
    static func kernelPrefixes(in namespace: TestNamespace, table header: String = "Id \(kernelTable):") throws -> Int {
        let stat = try namespace.exec(["cat", "/proc/net/fib_triestat"]).stdout
        guard let table = stat.range(of: header) else { return 0 }
        guard let line = stat[table.upperBound...].split(separator: "\n").first(where: { $0.contains("Prefixes:") }),
              let count = Int(line.split(separator: " ").last ?? "") else { return 0 }
        return count
    }

    static func bird(_ link: BGPTestLink) throws -> Receiver {
        let bird = try BGPBirdDaemon(in: link.right, setup: birdSetup(link))
        return Receiver(pid: bird.process.pid, count: bird.routeCount, stop: bird.stop)
    }

    /// BIRD with its kernel protocol exporting into the same table 100: the reference for
    /// our `kernel` key, timed the same way (until the kernel holds the feed, then none).
    static func birdWithKernel(_ link: BGPTestLink) throws -> Receiver {
        let bird = try BGPBirdDaemon(in: link.right, setup: birdSetup(link), kernelTable: kernelTable)
        return Receiver(pid: bird.process.pid, count: { try kernelPrefixes(in: link.right) }, stop: bird.stop,
                        measuresRemoval: true)
    }

    private static func birdSetup(_ link: BGPTestLink) -> BGPDaemonSetup {
        BGPDaemonSetup(localAS: receiverAS, routerID: link.rightV4, listenAddresses: [link.rightV4],
                       nextHop4: link.rightV4, neighbors: [feedPeer(link)])
    }

    static func gobgp(_ link: BGPTestLink) throws -> Receiver {
        let gobgp = try BGPGoBGPDaemon(in: link.right, setup: BGPDaemonSetup(
            localAS: receiverAS, routerID: link.rightV4, listenAddresses: [link.rightV4],
            nextHop4: link.rightV4, neighbors: [feedPeer(link)]))
        return Receiver(pid: gobgp.process.pid, count: { try gobgp.routeCount() }, stop: gobgp.stop)
    }
}
