import Foundation
import Testing
import TestSupport

/// Recursive next-hop resolution against a real BIRD over iBGP (`bgp serve` in a `te-`
/// namespace with a kernel table): BIRD announces prefixes whose next hop, 10.88.0.1, is two
/// hops away. (a) With no route to it they are neither selected nor installed, and `bgp
/// routes --rejected` says the next hop is unresolved; (b) a static route to its network
/// through a directly connected router installs them through that router within about a
/// second; (c) the static route's gateway changes and the kernel routes follow; it goes and
/// they go, although the speaker's own 10.88.0.0/16 (learned through the same next hop)
/// covers the next hop: a BGP route never resolves through itself. IPv6 the same way, through
/// a static route whose gateway is the router's link-local address (installed with its device).
@Suite struct SpeakerRecursiveNextHopTests {
    static let nextHop = "10.88.0.1", nextHop6 = "fd00:88::1"
    static let announced: Set<String> = ["10.9.1.0/24", "10.9.2.0/24", "10.88.0.0/16"]
    static let announced6 = "fd00:9:1::/64"

    /// Our IPv6 routes of protocol 206: `fd00:9:1::/64 via fe80::1 dev bgpl`.
    static func installed6(_ ns: TestNamespace) throws -> Set<String> {
        let lines = try ns.exec(["ip", "-6", "route", "show", "table", "main", "proto", "206"]).stdout.split(separator: "\n")
        return Set(lines.compactMap { line in
            let words = line.split(separator: " ")
            return words.count >= 5 && words[1] == "via" && words[3] == "dev" ? "\(words[0]) via \(words[2]) dev \(words[4])" : nil
        })
    }

    /// Routes of protocol 206 in the left namespace's main table: `10.9.1.0/24 via 10.254.0.2`.
    static func installed(_ ns: TestNamespace) throws -> Set<String> {
        let lines = try ns.exec(["ip", "-4", "route", "show", "table", "main", "proto", "206"]).stdout.split(separator: "\n")
        return Set(lines.compactMap { line in
            let words = line.split(separator: " ")
            return words.count >= 3 && words[1] == "via" ? "\(words[0]) via \(words[2])" : nil
        })
    }

    static func via(_ gateway: String) -> Set<String> { Set(announced.map { "\($0) via \(gateway)" }) }

    /// Waits for `expected` in the kernel; the seconds it took.
    static func waitInstalled(_ ns: TestNamespace, _ expected: Set<String>, seen: inout Set<String>) throws -> Double {
        let start = Date()
        var kernel = Set<String>()
        _ = try waitUntil(timeout: 10, interval: 0.05) { kernel = try installed(ns); return kernel == expected }
        seen = kernel
        return Date().timeIntervalSince(start)
    }

    @Test func iBGPNextHopTwoHopsAwayResolvesThroughAStaticRoute() throws {
        let link = try BGPTestLink("rnh")
        // A second router on the link for the gateway change.
        try link.right.exec(["ip", "addr", "add", "10.254.0.3/24", "dev", "bgpr"])
        let bird = try BGPBirdDaemon(in: link.right, setup: BGPDaemonSetup(
            localAS: 65002, routerID: link.rightV4, listenAddresses: [link.rightV4], nextHop4: Self.nextHop,
            nextHop6: Self.nextHop6, neighbors: [BGPNeighbor(address: link.leftV4, asn: 65002, holdTime: 9)]),
            originating: Self.announced.sorted() + [Self.announced6])
        defer { bird.stop() }
        let speaker = try BGPSpeakerProcess(
            in: link.left, localAS: 65002, routerID: link.leftV4, listen: "\(link.leftV4):179",
            peers: [.init(BGPNeighbor(address: link.rightV4, asn: 65002, holdTime: 9))],
            originate: [], extraYAML: "kernel:\n  table: 254\n  protocol: 206\n")
        defer { speaker.stop() }
        let logs = { "\(speaker.logTail())\n\(bird.logTail())" }
        try #require(try speaker.waitEstablished(link.rightV4), "\(logs())")

        // (a) No route to 10.88.0.1: kept, not selected, not installed, shown as unresolved.
        var rejected: [String: String] = [:]
        _ = try waitUntil(timeout: 10, interval: 0.1) { rejected = try speaker.rejectedRoutes(); return rejected.count == 4 }
        #expect(rejected[Self.announced6]?.contains("next hop \(Self.nextHop6) unresolved") == true, "\(rejected)\n\(logs())")
        for prefix in Self.announced {
            #expect(rejected[prefix]?.contains("next hop \(Self.nextHop) unresolved") == true, "\(prefix): \(rejected)\n\(logs())")
        }
        #expect(try speaker.receivedPrefixes().isEmpty)
        #expect(try Self.installed(link.left).isEmpty)

        // (b) A static route to the next hop's network through the router on the link.
        var kernel = Set<String>()
        try link.left.exec(["ip", "route", "add", "10.88.0.0/24", "via", link.rightV4, "dev", "bgpl"])
        let installedAfter = try Self.waitInstalled(link.left, Self.via(link.rightV4), seen: &kernel)
        #expect(kernel == Self.via(link.rightV4), "\(logs())")
        #expect(installedAfter < 3, "installed \(installedAfter) s after the static route")
        print("recursive next hop: installed \(String(format: "%.3f", installedAfter)) s after the static route appeared")
        #expect(try speaker.receivedPrefixes() == Self.announced)
        #expect(try speaker.rejectedRoutes().keys.sorted() == [Self.announced6])

        // IPv6: a static route through the router's link-local address goes in with its device.
        let linkLocal = try #require(try link.right.exec(["ip", "-6", "-o", "addr", "show", "dev", "bgpr", "scope", "link"]).stdout
            .split(separator: " ").first { $0.hasPrefix("fe80") }?.split(separator: "/").first.map(String.init))
        try link.left.exec(["ip", "-6", "route", "add", "fd00:88::/64", "via", linkLocal, "dev", "bgpl"])
        var kernel6 = Set<String>()
        _ = try waitUntil(timeout: 10, interval: 0.05) { kernel6 = try Self.installed6(link.left); return !kernel6.isEmpty }
        #expect(kernel6 == ["\(Self.announced6) via \(linkLocal) dev bgpl"], "\(logs())")
        try link.left.exec(["ip", "-6", "route", "del", "fd00:88::/64"])
        _ = try waitUntil(timeout: 10, interval: 0.05) { kernel6 = try Self.installed6(link.left); return kernel6.isEmpty }
        #expect(kernel6.isEmpty, "\(logs())")

        // (c) The static route moves to the other router: the kernel routes follow.
        try link.left.exec(["ip", "route", "replace", "10.88.0.0/24", "via", "10.254.0.3", "dev", "bgpl"])
        let movedAfter = try Self.waitInstalled(link.left, Self.via("10.254.0.3"), seen: &kernel)
        #expect(kernel == Self.via("10.254.0.3"), "\(logs())")
        print("recursive next hop: moved \(String(format: "%.3f", movedAfter)) s after the gateway change")

        // It goes: nothing resolves 10.88.0.1 now (our own 10.88.0.0/16 does not count).
        try link.left.exec(["ip", "route", "del", "10.88.0.0/24"])
        let removedAfter = try Self.waitInstalled(link.left, [], seen: &kernel)
        #expect(kernel.isEmpty, "\(logs())")
        print("recursive next hop: removed \(String(format: "%.3f", removedAfter)) s after the static route went")
        #expect(try speaker.receivedPrefixes().isEmpty)
        #expect(try speaker.rejectedRoutes()["10.9.1.0/24"]?.contains("unresolved") == true)
        #expect(try speaker.isEstablished(link.rightV4))
    }
}
