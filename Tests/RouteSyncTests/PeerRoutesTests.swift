import Foundation
import Netlink
import NetworkCore
@testable import RouteSync
import Testing
import TestSupport

/// Peer host routes through nexthop objects, in a `te-` node namespace whose `v0`
/// (10.100.0.1/16, fd64::1/64) reaches a peer namespace.
@Suite struct PeerRoutesTests {
    final class Node {
        let node: TestNamespace
        let peer: TestNamespace
        init(_ label: String) throws {
            node = try TestNamespace(label)
            peer = try TestNamespace("\(label)p")
            try node.link(to: peer, localName: "v0", remoteName: "v1", localAddresses: ["10.100.0.1/16", "fd64::1/64"],
                          remoteAddresses: ["10.100.0.2/16", "fd64::2/64"])
        }

        func writer(_ config: RouteSyncConfig = RouteSyncConfig(resyncInterval: .seconds(30))) throws -> RouteWriter {
            try RouteWriter(config: config, namespace: NetworkNamespace(path: node.path), log: { print("writer: \($0)") })
        }

        func lines(_ argv: [String]) throws -> [String] {
            try node.exec(argv).stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    static let peers = [
        PeerNode(name: "edge-1", nodeAddresses: [IPAddress("10.100.0.2")!, IPAddress("fd64::2")!],
                 subnets: [IPPrefix("10.244.1.0/24")!, IPPrefix("fd44:1::/64")!]),
        PeerNode(name: "edge-2", nodeAddress: IPAddress("10.100.3.7")!, subnets: [IPPrefix("10.244.2.0/24")!]),
        PeerNode(name: "far-1", nodeAddress: IPAddress("192.0.2.9")!, subnets: [IPPrefix("10.244.3.0/24")!]),
    ]

    @Test func connectedPeersGetNexthopRoutesOthersGoViaGateway() async throws {
        let n = try Node("prnh")
        try n.node.exec(["ip", "route", "add", "10.244.9.0/24", "via", "10.100.0.9", "proto", "static"])
        try n.node.exec(["ip", "nexthop", "add", "id", "3", "via", "10.100.0.9", "dev", "v0"])
        let writer = try n.writer()
        try await writer.start()
        let report = try await writer.setPeers(Self.peers)
        #expect(report.mode == .nexthop)
        #expect(report.expected.map(\.description) == ["10.244.1.0/24", "10.244.2.0/24", "fd44:1::/64"])
        #expect(report.installed == report.expected && report.missing.isEmpty, "\(report.problems)")
        #expect(report.viaGateway.map(\.node) == ["far-1"])
        let v4 = try n.lines(["ip", "route", "show", "proto", "207"])
        #expect(v4.count == 2 && v4.allSatisfy { $0.contains(" nhid ") }, "\(v4)")
        #expect(v4.contains { $0.hasPrefix("10.244.1.0/24 nhid") && $0.contains("via 10.100.0.2 dev v0") })
        #expect(try n.lines(["ip", "-6", "route", "show", "proto", "207"]).first?.contains("via fd64::2 dev v0") == true)
        #expect(try n.lines(["ip", "nexthop", "show", "proto", "207"]).count == 3)

        // A peer leaving loses its route and nexthop; other owners' objects are untouched throughout.
        try await writer.removePeer(named: "edge-2")
        #expect(try n.lines(["ip", "route", "show", "proto", "207"]).map { $0.split(separator: " ")[0] } == ["10.244.1.0/24"])
        #expect(try n.lines(["ip", "nexthop", "show", "proto", "207"]).count == 2)
        #expect(try n.lines(["ip", "route", "show", "proto", "static"]) == ["10.244.9.0/24 via 10.100.0.9 dev v0"])
        #expect(try n.lines(["ip", "nexthop", "show", "id", "3"]).count == 1)

        // Cleanup removes ours only.
        #expect(try await writer.removePeerRoutes() == 4)
        #expect(try n.lines(["ip", "route", "show", "proto", "207"]).isEmpty)
        #expect(try n.lines(["ip", "nexthop", "show", "proto", "207"]).isEmpty)
        #expect(try n.lines(["ip", "nexthop", "show", "id", "3"]).count == 1)
        writer.stop()
    }

    @Test func handDeletedRouteAndNexthopComeBackWithinOneSecond() async throws {
        let n = try Node("prfix")
        let writer = try n.writer()
        try await writer.start()
        _ = try await writer.setPeers(Self.peers)
        let route = try #require(try n.lines(["ip", "route", "show", "10.244.1.0/24"]).first)

        // Timed from the kernel's removal to its re-adding (a netlink monitor), off the
        // cooperative pool where the writer's tasks run.
        let node = n.node
        let routeBack = try await offPool {
            try KernelRepairClock(node, groups: [.ipv4Route]).time({ try node.exec(["ip", "route", "del", "10.244.1.0/24"]) },
                startsAt: { $0.isRoute(to: "10.244.1.0/24", removed: true) }, stopsAt: { $0.isRoute(to: "10.244.1.0/24", removed: false) })
        }
        #expect(routeBack.map { $0 < .seconds(1) } == true, "route back after \(String(describing: routeBack))")
        #expect(try n.lines(["ip", "route", "show", "10.244.1.0/24"]) == [route])

        let id = try #require(route.split(separator: " ").dropFirst(2).first.flatMap { UInt32($0) })
        let nexthopBack = try await offPool {
            try KernelRepairClock(node, groups: [.ipv4Route, .nexthop]).time({ try node.exec(["ip", "nexthop", "del", "id", "\(id)"]) },
                startsAt: { $0.isNexthop(id, removed: true) }, stopsAt: { $0.isRoute(to: "10.244.1.0/24", removed: false) })
        }
        #expect(nexthopBack.map { $0 < .seconds(1) } == true, "nexthop and its route back after \(String(describing: nexthopBack))")
        #expect(try n.lines(["ip", "nexthop", "show", "id", "\(id)"]).count == 1 && n.lines(["ip", "route", "show", "10.244.1.0/24"]) == [route])
        print("PeerRoutes: route back in \(routeBack.map { "\($0)" } ?? "-"), nexthop in \(nexthopBack.map { "\($0)" } ?? "-")")
        writer.stop()
    }

    /// SIGKILL or SIGTERM, then a new agent: it adopts everything; the kernel sees no deletion.
    @Test func restartAdoptsWithoutRemovingAnything() async throws {
        let n = try Node("pradopt")
        let first = try n.writer()
        try await first.start()
        _ = try await first.setPeers(Self.peers)
        first.stop()
        let before = try n.lines(["ip", "route", "show", "proto", "207"]) + n.lines(["ip", "nexthop", "show", "proto", "207"])

        let monitor = try NetworkNamespace(path: n.node.path).openNetlinkMonitor(groups: [.ipv4Route, .ipv6Route, .nexthop])
        let second = try n.writer()
        let adopted = try await second.start()
        #expect(adopted.installed.isEmpty)   // no peers known yet: nothing expected, nothing removed
        // An event before the leases are read (a link change) must not make it act on an empty peer set.
        try n.node.exec(["ip", "link", "set", "v0", "mtu", "1400"])
        try await Task.sleep(for: .milliseconds(300))
        let report = try await second.setPeers(Self.peers)
        #expect(report.installed.count == 3 && report.missing.isEmpty)
        var changes: [NetlinkEvent] = []
        while let event = try monitor.next(timeout: .milliseconds(300)) {
            switch event {
            case .route(let route, _) where route.protocolID == 207: changes.append(event)
            case .nexthop(let nexthop, _) where nexthop.protocolID == 207: changes.append(event)
            default: break   // the kernel's own (the MTU change touches IPv6 link-local routes)
            }
        }
        #expect(changes.isEmpty, "the restart changed our routes or nexthops: \(changes)")
        #expect(try n.lines(["ip", "route", "show", "proto", "207"]) + n.lines(["ip", "nexthop", "show", "proto", "207"]) == before)
        second.stop()
    }

    @Test func classicModeUsesGatewayRoutes() async throws {
        let n = try Node("prclas")
        let writer = try n.writer(RouteSyncConfig(mode: .classic))
        try await writer.start()
        let report = try await writer.setPeers(Self.peers)
        #expect(report.mode == .classic && report.installed.count == 3)
        #expect(try n.lines(["ip", "route", "show", "proto", "207"]).contains("10.244.2.0/24 via 10.100.3.7 dev v0"))
        #expect(try n.lines(["ip", "nexthop", "show"]).isEmpty)
        writer.stop()
    }

    @Test func nexthopIDsAreStableAndCollisionSafe() {
        var ids = NexthopIDs()
        let key = NexthopIDs.Key(node: "edge-1", family: .v4)
        let stable = NexthopIDs.stableID(key)
        #expect(stable >= NexthopIDs.base)
        let gateway = IPAddress("10.100.0.2")!
        ids.foreign = [stable]
        let moved = ids.id(for: key, gateway: gateway, installed: [:])
        #expect(moved == stable + 1)
        // A fresh allocator adopts the id an earlier run installed for the same gateway.
        var restarted = NexthopIDs()
        let installed = [moved: Nexthop(id: moved, gateway: gateway, outputInterface: 2, protocolID: 207),
                         stable: Nexthop(id: stable, gateway: IPAddress("10.100.0.3"), outputInterface: 2, protocolID: 207)]
        #expect(restarted.id(for: key, gateway: gateway, installed: installed) == moved)
        // Another peer never gets a taken id.
        let other = NexthopIDs.Key(node: "edge-2", family: .v4)
        #expect(restarted.id(for: other, gateway: IPAddress("10.100.0.4")!, installed: [:]) != moved)
    }
}

/// The peer routes' edge cases: no nexthop objects, another owner's route, lost events.
@Suite struct PeerRoutesEdgeTests {
    typealias Node = PeerRoutesTests.Node

    @Test func autoFallsBackToClassicRoutesWithAWarningWithoutNexthopObjects() async throws {
        let n = try Node("prauto")
        let socket = FailingSocket(try NetworkNamespace(path: n.node.path).openNetlinkSocket())
        socket.nexthopsUnsupported = true
        let logs = LogLines()
        let writer = try RouteWriter(config: RouteSyncConfig(mode: .auto), socket: socket, monitor: nil, log: logs.append)
        try await writer.start()
        let report = try await writer.setPeers(PeerRoutesTests.peers)
        #expect(report.mode == .classic && report.installed.count == 3)
        #expect(logs.lines.contains { $0.contains("no nexthop objects") && $0.contains("classic") })
        #expect(try n.lines(["ip", "route", "show", "proto", "207"]).contains("10.244.1.0/24 via 10.100.0.2 dev v0"))
        writer.stop()

        // `nexthop` asked for explicitly is an error there, not a silent fallback.
        let strict = try RouteWriter(config: RouteSyncConfig(mode: .nexthop), socket: socket, monitor: nil, log: { _ in })
        await #expect(throws: NetlinkError.self) { try await strict.start() }
        strict.stop()
    }

    @Test func anotherOwnersRouteIsReportedNotOverwritten() async throws {
        let n = try Node("prconf")
        try n.node.exec(["ip", "route", "add", "10.244.2.0/24", "via", "10.100.0.9", "proto", "static"])
        let writer = try n.writer()
        try await writer.start()
        let report = try await writer.setPeers(PeerRoutesTests.peers)
        #expect(report.missing.map(\.description) == ["10.244.2.0/24"])
        #expect(report.problems.contains { $0.contains("10.244.2.0/24: another owner's route") }, "\(report.problems)")
        #expect(try n.lines(["ip", "route", "show", "10.244.2.0/24"]) == ["10.244.2.0/24 via 10.100.0.9 dev v0 proto static"])
        // Once the other owner's route goes, the retry installs ours.
        try n.node.exec(["ip", "route", "del", "10.244.2.0/24", "proto", "static"])
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await writer.peerReport().missing.isEmpty)
        writer.stop()
    }

    /// Lost events (ENOBUFS, which `NexthopVerbTests` provokes on a real monitor) make the
    /// writer read the kernel in full: here nothing else could repair (no monitor, resync in
    /// an hour), and every route deleted behind its back comes back.
    @Test func lostEventsTriggerAFullResync() async throws {
        let n = try Node("prlost")
        let namespace = try NetworkNamespace(path: n.node.path)
        let logs = LogLines()
        let writer = try RouteWriter(config: RouteSyncConfig(resyncInterval: .seconds(3600)), socket: namespace.openNetlinkSocket(),
                                     monitor: nil, log: logs.append)
        try await writer.start()
        let many = (0..<500).map { i in
            PeerNode(name: "edge-\(i)", nodeAddress: .v4(IPv4Address(0x0A64_0100 + UInt32(i))),
                     subnets: [IPPrefix(network: .v4(IPv4Address(0x0B00_0000 + UInt32(i) << 8)), length: 24)!])
        }
        _ = try await writer.setPeers(many)
        try n.node.exec(["ip", "nexthop", "flush", "proto", "207"])   // the routes go with them
        #expect(try await writer.peerReport().missing.isEmpty)        // the writer cannot know yet
        writer.receive([.eventsLost])
        let report = try await writer.peerReport()
        #expect(report.missing.isEmpty && report.installed.count == 500)
        #expect(try n.lines(["ip", "route", "show", "proto", "207"]).count == 500)
        #expect(try n.lines(["ip", "nexthop", "show", "proto", "207"]).count == 500)
        #expect(logs.lines.contains { $0.contains("lost events") })
        writer.stop()
    }
}

/// Log lines collected from the writer's thread.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    @Sendable func append(_ line: String) { lock.withLock { stored.append(line) } }
}

/// The link to the peers going down takes our nexthops and routes (the kernel flushes them
/// without per-object events); when it comes back, so do they.
@Suite struct PeerRoutesLinkTests {
    @Test func linkFlapRestoresRoutes() async throws {
        let n = try PeerRoutesTests.Node("prflap")
        let logs = LogLines()
        let writer = try RouteWriter(config: RouteSyncConfig(resyncInterval: .seconds(3600)),
                                     namespace: NetworkNamespace(path: n.node.path), log: logs.append)
        try await writer.start()
        _ = try await writer.setPeers(PeerRoutesTests.peers)
        let before = try n.lines(["ip", "route", "show", "proto", "207"])
        #expect(before.count == 2)

        // Linux drops a link's IPv6 addresses when it goes down unless told to keep them.
        try n.node.exec(["sysctl", "-qw", "net.ipv6.conf.v0.keep_addr_on_down=1"])
        try n.node.exec(["ip", "link", "set", "v0", "down"])
        try await Task.sleep(for: .milliseconds(200))
        #expect(try n.lines(["ip", "route", "show", "proto", "207"]).isEmpty)
        let down = try await writer.peerReport()
        #expect(down.expected.isEmpty && Set(down.viaGateway.map(\.node)) == ["edge-1", "edge-2", "far-1"], "\(down)")   // nothing connected now

        // Timed from the kernel's link-up event to the last of our routes added again.
        let node = n.node
        let wanted = Set(before.map { String($0.split(separator: " ")[0]) })
        let restored = try await offPool {
            var added = Set<String>()
            return try KernelRepairClock(node, groups: [.link, .ipv4Route]).time({ try node.exec(["ip", "link", "set", "v0", "up"]) },
                startsAt: { if case .link(let link, false) = $0 { link.name == "v0" && link.isUp } else { false } },
                stopsAt: { event in
                    if case .route(let route, false) = event, route.protocolID == 207 { added.insert(route.destination.description) }
                    return added.isSuperset(of: wanted)
                })
        }
        #expect(restored.map { $0 < .seconds(1) } == true, "routes back after \(String(describing: restored)) of the link coming up")
        #expect(try n.lines(["ip", "route", "show", "proto", "207"]) == before)
        #expect(try n.lines(["ip", "-6", "route", "show", "proto", "207"]).count == 1)
        writer.stop()
    }
}
