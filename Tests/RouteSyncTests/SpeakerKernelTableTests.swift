import Foundation
import Testing
import TestSupport

/// `terway-edge bgp serve` with a `kernel` key in a `te-` namespace, peered with BIRD 2 in
/// another: BIRD's routes land in our namespace's main table with our protocol number.
@Suite struct SpeakerKernelTableTests {
    static let ourAS: UInt32 = 65002, theirAS: UInt32 = 65001

    /// Prefixes of protocol 206 in the main table, with their next hop: `10.2.0.0/24 via 10.254.0.2`.
    private func ours(_ ns: TestNamespace, proto: String = "206") throws -> Set<String> {
        var routes = Set<String>()
        for family in ["-4", "-6"] {
            for line in try ns.exec(["ip", family, "route", "show", "table", "main", "proto", proto]).stdout.split(separator: "\n") {
                let words = line.split(separator: " ")
                if words.count >= 3, words[1] == "via" { routes.insert("\(words[0]) via \(words[2])") }
            }
        }
        return routes
    }

    private func wait(_ ns: TestNamespace, for expected: Set<String>) throws -> Set<String> {
        var last = Set<String>()
        _ = try waitUntil(timeout: 20, interval: 0.2) {
            last = try ours(ns)
            return last == expected
        }
        return last
    }

    @Test func birdRoutesInstalledWithdrawnAndRemovedAtShutdown() throws {
        let link = try BGPTestLink("kern")
        let bird = try BGPBirdDaemon(in: link.right, setup: BGPDaemonSetup(
            localAS: Self.theirAS, routerID: link.rightV4, listenAddresses: [link.rightV4],
            nextHop4: link.rightV4, nextHop6: link.rightV6,
            neighbors: [BGPNeighbor(address: link.leftV4, asn: Self.ourAS, holdTime: 9)]))
        defer { bird.stop() }
        // A route of ours from an earlier run (goes at start), and another protocol's (stays).
        try link.left.exec(["ip", "route", "add", "10.99.0.0/24", "via", link.rightV4, "proto", "206"])
        try link.left.exec(["ip", "route", "add", "10.98.0.0/24", "via", link.rightV4, "proto", "static"])
        let speaker = try BGPSpeakerProcess(
            in: link.left, localAS: Self.ourAS, routerID: link.leftV4, listen: "\(link.leftV4):179",
            peers: [.init(BGPNeighbor(address: link.rightV4, asn: Self.theirAS, holdTime: 9))],
            originate: ["10.0.1.0/24"], extraYAML: "kernel:\n  table: 254\n  protocol: 206\n  metric: 20\n")
        defer { speaker.stop() }
        let logs = { "\(speaker.logTail())\n\(bird.logTail())" }
        #expect(try speaker.waitEstablished(link.rightV4), "\(logs())")
        #expect(try ours(link.left).isEmpty, "\(logs())")

        try bird.announce(["10.2.0.0/24", "10.2.1.0/24", "fd10:2::/64", "fd10:3::/64"])
        let all: Set<String> = ["10.2.0.0/24 via 10.254.0.2", "10.2.1.0/24 via 10.254.0.2",
                                "fd10:2::/64 via fd00:254::2", "fd10:3::/64 via fd00:254::2"]
        #expect(try wait(link.left, for: all) == all, "\(logs())")
        #expect(try link.left.exec(["ip", "route", "show", "10.2.0.0/24"]).stdout.contains("metric 20"))

        try bird.withdraw(["10.2.1.0/24", "fd10:3::/64"])
        let left: Set<String> = ["10.2.0.0/24 via 10.254.0.2", "fd10:2::/64 via fd00:254::2"]
        #expect(try wait(link.left, for: left) == left, "\(logs())")

        // SIGTERM without graceful restart: our routes go, the static one stays.
        speaker.stop()
        #expect(try ours(link.left).isEmpty, "\(logs())")
        #expect(try ours(link.left, proto: "static") == ["10.98.0.0/24 via 10.254.0.2"])
        #expect(speaker.logTail().contains("removed 1 stale routes"), "\(logs())")
    }

    /// RFC 4724: a graceful-restart shutdown keeps our routes forwarding; the next run adopts
    /// them, and the one the peer did not announce again goes when the peer's End-of-RIB arrives.
    @Test func gracefulRestartKeepsRoutesAndSweepsTheOnesNotLearnedAgain() throws {
        let link = try BGPTestLink("kgr")
        let bird = try BGPBirdDaemon(in: link.right, setup: BGPDaemonSetup(
            localAS: Self.theirAS, routerID: link.rightV4, listenAddresses: [link.rightV4],
            nextHop4: link.rightV4, nextHop6: link.rightV6,
            neighbors: [BGPNeighbor(address: link.leftV4, asn: Self.ourAS, holdTime: 9, gracefulRestart: true)]))
        defer { bird.stop() }
        let speaker = try BGPSpeakerProcess(
            in: link.left, localAS: Self.ourAS, routerID: link.leftV4, listen: "\(link.leftV4):179",
            peers: [.init(BGPNeighbor(address: link.rightV4, asn: Self.theirAS, holdTime: 9))],
            originate: [], gracefulRestartTime: 5, extraYAML: "kernel: {}\n")
        defer { speaker.stop() }
        let logs = { "\(speaker.logTail())\n\(bird.logTail())" }
        #expect(try speaker.waitEstablished(link.rightV4), "\(logs())")
        try bird.announce(["10.2.0.0/24", "10.2.1.0/24", "fd10:2::/64"])
        let all: Set<String> = ["10.2.0.0/24 via 10.254.0.2", "10.2.1.0/24 via 10.254.0.2", "fd10:2::/64 via fd00:254::2"]
        #expect(try wait(link.left, for: all) == all, "\(logs())")

        speaker.stop()
        #expect(try ours(link.left) == all, "kept across the shutdown: \(logs())")
        try bird.withdraw(["10.2.1.0/24"])
        try speaker.restart()
        #expect(speaker.logTail().contains("kept 3 routes across the graceful restart"), "\(logs())")
        #expect(try speaker.waitEstablished(link.rightV4), "\(logs())")
        // RFC 4724 §4.1: the one BIRD did not announce again goes once BIRD's End-of-RIB has
        // arrived (or the selection deferral ends), not on a timer started at launch.
        let learnedAgain: Set<String> = ["10.2.0.0/24 via 10.254.0.2", "fd10:2::/64 via fd00:254::2"]
        #expect(try wait(link.left, for: learnedAgain) == learnedAgain, "\(logs())")
        #expect(try waitUntil(timeout: 5) { speaker.logTail().contains("1 routes not learned again removed") }, "\(logs())")
    }

    /// RFC 8950 against BIRD on an IPv6-only session: BIRD's IPv4 route arrives with an IPv6
    /// next hop and goes into the kernel through it (RTA_VIA), and ours, with no IPv4 address
    /// on the link to offer, leaves with our IPv6 address as next hop instead of the router ID.
    @Test func ipv4RoutesOverAnIPv6SessionTravelWithIPv6NextHops() throws {
        let link = try BGPTestLink("k8950")
        try link.left.exec(["ip", "addr", "del", "\(link.leftV4)/24", "dev", "bgpl"])
        try link.right.exec(["ip", "addr", "del", "\(link.rightV4)/24", "dev", "bgpr"])
        let bird = try BGPBirdDaemon(in: link.right, setup: BGPDaemonSetup(
            localAS: Self.theirAS, routerID: link.rightV4, listenAddresses: [link.rightV6],
            nextHop4: link.rightV4, nextHop6: link.rightV6,
            neighbors: [BGPNeighbor(address: link.leftV6, asn: Self.ourAS, holdTime: 9, extendedNextHop: true)]))
        defer { bird.stop() }
        let speaker = try BGPSpeakerProcess(
            in: link.left, localAS: Self.ourAS, routerID: link.leftV4, listen: "\"[\(link.leftV6)]:179\"",
            peers: [.init(BGPNeighbor(address: link.rightV6, asn: Self.theirAS, holdTime: 9))],
            originate: ["10.0.1.0/24"], extraYAML: "kernel:\n  table: 254\n  protocol: 206\n")
        defer { speaker.stop() }
        let logs = { "\(speaker.logTail())\n\(bird.logTail())" }
        #expect(try speaker.waitEstablished(link.rightV6), "\(logs())")

        try bird.announce(["10.2.0.0/24"])
        var kernel = ""
        let installed = try waitUntil(timeout: 20, interval: 0.2) {
            kernel = try link.left.exec(["ip", "-4", "route", "show", "table", "main", "proto", "206"]).stdout
            return kernel.contains("10.2.0.0/24 via inet6 \(link.rightV6) dev bgpl")
        }
        #expect(installed, "kernel: \(kernel)\n\(logs())")
        let learned = try speaker.routes().first { $0["prefix"] as? String == "10.2.0.0/24" }
        #expect(learned?["nextHop"] as? String == link.rightV6, "\(logs())")

        var details = ""
        let received = try waitUntil(timeout: 20, interval: 0.2) {
            details = try bird.routeDetails("10.0.1.0/24")
            return details.contains("BGP.next_hop: \(link.leftV6)")
        }
        #expect(received, "BIRD: \(details)\n\(logs())")
    }
}
