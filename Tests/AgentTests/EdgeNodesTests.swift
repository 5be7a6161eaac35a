import Foundation
import Netlink
import NetworkCore
import Testing
import TestSupport

/// Whole agents: four edge nodes on one segment and a BIRD gateway rendered from the plan
/// the agents read, pods wired by the plugin from the agents' subnet files.
@Suite(.serialized) struct EdgeNodesTests {
    /// Four nodes, their agents and two pods each (none with `pods: false`).
    static func fourNodes(etcd: Bool = false, pods: Bool = true) throws -> EdgeLab {
        let lab = try EdgeLab()
        if etcd { try lab.useEtcd() }
        try lab.startGateway()
        for index in 1...4 { try lab.startAgent(try lab.addNode(index)) }
        if pods {
            for node in lab.nodes {
                try lab.addPod(node, "\(node.name.suffix(1))a")
                try lab.addPod(node, "\(node.name.suffix(1))b")
            }
        }
        return lab
    }

    /// The node subnets of all agents' leases, both families.
    static func leasedSubnets(_ lab: EdgeLab) throws -> Set<String> {
        Set(try lab.nodes.flatMap { try lab.subnets($0) })
    }

    /// Every node has a host route through a nexthop object (proto 207) to every other node's subnets.
    static func hostRoutesComplete(_ lab: EdgeLab, nodes: [EdgeLab.Node]) throws -> Bool {
        for node in nodes {
            for other in nodes where other !== node {
                for subnet in try lab.subnets(other) {
                    let route = try lab.route(node, subnet)
                    guard route.contains("nhid") && route.contains("proto 207") else { return false }
                }
            }
        }
        return true
    }

    static func expectGatewayLearnedAndPodsReachEachOther(_ lab: EdgeLab) throws {
        let subnets = try Self.leasedSubnets(lab)
        #expect(subnets.count == 2 * lab.nodes.count, "\(subnets)")
        let learned = try waitUntil(timeout: 60, interval: 0.2) { try lab.gatewayRoutes().isSuperset(of: subnets) }
        #expect(learned, "gateway has \((try? lab.gatewayRoutes()) ?? []), leases \(subnets)\n\(lab.logs())")
        let routed = try waitUntil(timeout: 60, interval: 0.1) { try hostRoutesComplete(lab, nodes: lab.nodes) }
        #expect(routed, "host routes: \(lab.nodes.map { (try? $0.namespace.exec(["ip", "route"]).stdout) ?? "" })\n\(lab.logs())")
        let pods = lab.nodes.flatMap(\.pods)
        var failed: [String] = []
        for from in pods {
            for to in pods where to.address4 != from.address4 {
                for address in [to.address4, to.address6] where try !lab.ping(from, address) {
                    failed.append("\(from.address4) -> \(address)")
                }
            }
        }
        #expect(failed.isEmpty, "unreachable: \(failed)\n\(lab.logs())")
    }

    @Test func fourNodesPodsReachEachOtherAndTheGatewayLearnsEveryNodeSubnet() async throws {
        try await offPool { try Self.fourNodesPodsReachEachOtherAndTheGatewayLearnsEveryNodeSubnetBody() }
    }

    static func fourNodesPodsReachEachOtherAndTheGatewayLearnsEveryNodeSubnetBody() throws {
        let lab = try Self.fourNodes()
        try Self.expectGatewayLearnedAndPodsReachEachOther(lab)

        // The status a person reads: exactly the issue's keys.
        let node = lab.nodes[0]
        let status = try lab.status(node)
        #expect(Set(status.keys) == ["node", "role", "domain", "lease", "routes", "peers", "masquerade", "problems"])
        #expect(status["node"] as? String == "edge-1" && status["role"] as? String == "edge" && status["domain"] as? String == "dc1")
        #expect(Set((status["lease"] as? [String: Any])?.keys.map { $0 } ?? []) == ["subnets", "expiresAt"])
        let routes = status["routes"] as? [String: Any] ?? [:]
        #expect(routes["expected"] as? Int == 6 && routes["installed"] as? Int == 6 && (routes["missing"] as? [String])?.isEmpty == true, "\(routes)")
        let peers = status["peers"] as? [[String: Any]] ?? []
        #expect(peers.count == 2 && peers.allSatisfy { $0["state"] as? String == "Established" }, "\(peers)")
        let masquerade = status["masquerade"] as? [String: Any] ?? [:]
        #expect(masquerade["installed"] as? Bool == true && !((masquerade["rules"] as? [String]) ?? []).isEmpty, "\(masquerade)")
        #expect((status["problems"] as? [String])?.isEmpty == true, "\(status)")
        let table = try run([lab.cliBinary, "status", "--socket", node.socket]).stdout
        #expect(table.hasPrefix("OK: no problems") && table.contains("NODE edge-1  ROLE edge  DOMAIN dc1")
            && table.contains("ROUTES 6/6 installed") && table.contains("Established"), "\(table)")

        // Metrics, health and readiness on metricsAddress.
        let metrics = try lab.metrics(node, "/metrics")
        #expect(metrics.status == 200)
        for name in ["terway_edge_routes_installed", "terway_edge_route_sync_seconds_bucket", "terway_edge_bgp_session_up",
                     "terway_edge_lease_expiry_seconds", "terway_edge_reconcile_errors_total"] {
            #expect(metrics.body.contains(name), "\(name) in \(metrics.body)")
        }
        #expect(metrics.body.contains(#"terway_edge_routes_installed{source="peers"} 6"#), "\(metrics.body)")
        #expect(metrics.body.contains(#"terway_edge_bgp_session_up{peer="172.16.1.1"} 1"#), "\(metrics.body)")
        #expect(try lab.metrics(node, "/healthz").status == 200)
        #expect(try lab.metrics(node, "/readyz").status == 200)
    }

    @Test func theSameWithTheLeaseStoreOnAThreeMemberEtcdCluster() async throws {
        try await offPool { try Self.theSameWithTheLeaseStoreOnAThreeMemberEtcdClusterBody() }
    }

    static func theSameWithTheLeaseStoreOnAThreeMemberEtcdClusterBody() throws {
        let lab = try Self.fourNodes(etcd: true)
        try Self.expectGatewayLearnedAndPodsReachEachOther(lab)
    }

    /// `terway-edged --cleanup` on a running node: its routes leave the other nodes within
    /// 2 s and the gateway, and nothing of ours stays on it.
    @Test func aNodeThatLeavesLosesItsRoutesEverywhere() async throws {
        try await offPool { try Self.aNodeThatLeavesLosesItsRoutesEverywhereBody() }
    }

    static func aNodeThatLeavesLosesItsRoutesEverywhereBody() throws {
        let lab = try Self.fourNodes(pods: false)
        let leaving = lab.nodes[3], staying = Array(lab.nodes[0..<3])
        let subnets = try lab.subnets(leaving)
        #expect(try waitUntil(timeout: 60, interval: 0.2) { try lab.gatewayRoutes().isSuperset(of: Set(subnets)) }, "\(lab.logs())")
        #expect(try waitUntil(timeout: 60, interval: 0.1) { try Self.hostRoutesComplete(lab, nodes: lab.nodes) }, "\(lab.logs())")

        // The leave starts when the cleanup command does; each staying node's removals are
        // timed by the kernel's notifications (monitors opened before), not by polling.
        let clocks = try staying.map { try KernelRepairClock($0.namespace, groups: [.ipv4Route, .ipv6Route]) }
        let started = ContinuousClock.now
        let cleanup = try leaving.namespace.exec([lab.agentBinary, "--cleanup", "--config", leaving.config], check: false)
        #expect(cleanup.succeeded, "\(cleanup.stdout)\(cleanup.stderr)")
        let removedAt = try clocks.map { clock in
            var left = Set(subnets.compactMap { IPPrefix($0) })
            return try clock.next(where: { event in
                if case .route(let route, true) = event { left.remove(route.destination) }
                return left.isEmpty
            }, before: started + .seconds(30))
        }
        let elapsed = removedAt.map { $0.map { $0 - started } }
        #expect(elapsed.allSatisfy { $0.map { $0 < .seconds(2) } == true }, "routes to \(subnets) gone after \(elapsed)\n\(lab.logs())")
        #expect(try staying.allSatisfy { node in try subnets.allSatisfy { try lab.route(node, $0).isEmpty } })
        print("EdgeNodes leave: routes gone from the other nodes after \(elapsed)")
        #expect(try waitUntil(timeout: 60, interval: 0.1) { try lab.gatewayRoutes().isDisjoint(with: Set(subnets)) },
                "gateway still has \((try? lab.gatewayRoutes()) ?? [])\n\(lab.logs())")
        #expect(leaving.agent?.isRunning == false, "the agent stopped")
        // Nothing of ours stays on the node.
        #expect(try leaving.namespace.exec(["ip", "route", "show", "proto", "207"]).stdout.isEmpty)
        #expect(try leaving.namespace.exec(["ip", "nexthop", "show", "proto", "207"], check: false).stdout.isEmpty)
        #expect(try !leaving.namespace.exec(["nft", "list", "tables"]).stdout.contains("terway_edge"))
        #expect(!FileManager.default.fileExists(atPath: leaving.subnetFile))
    }

    /// The plan's `gateway.nodesAdvertise: domain-aggregate`: the agents announce the domain's
    /// pod CIDRs (their `bgp.advertise` default) and the gateway rendered from the same plan
    /// takes them, one path per node, and no node subnet; a node that leaves withdraws its
    /// path, the last one the aggregate itself. (With the agents' `bgp.advertise` alone the
    /// gateway took nothing: it accepts node subnets only unless the plan says otherwise.)
    @Test func withTheDomainAggregateTheGatewayLearnsTheDomainNotTheNodeSubnets() async throws {
        try await offPool { try Self.withTheDomainAggregateTheGatewayLearnsTheDomainNotTheNodeSubnetsBody() }
    }

    static func withTheDomainAggregateTheGatewayLearnsTheDomainNotTheNodeSubnetsBody() throws {
        let lab = try EdgeLab(plan: AgentFixture.plan.replacingOccurrences(
            of: "      gtsm: true\n", with: "      gtsm: true\n      nodesAdvertise: domain-aggregate\n"))
        try lab.startGateway()
        for index in 1...2 { try lab.startAgent(try lab.addNode(index)) }
        let (one, two) = (lab.nodes[0], lab.nodes[1])
        func paths() throws -> [String: Set<String>] {
            ["10.0.0.0/16": try lab.gatewayNextHops("10.0.0.0/16"), "fd00:a::/48": try lab.gatewayNextHops("fd00:a::/48")]
        }
        let both = try waitUntil(timeout: 60, interval: 0.2) {
            try paths() == ["10.0.0.0/16": [one.address4, two.address4], "fd00:a::/48": [one.address6, two.address6]]
        }
        #expect(both, "gateway paths \((try? paths()) ?? [:])\n\(lab.logs())")
        #expect(try lab.gatewayRoutes() == ["10.0.0.0/16", "fd00:a::/48"], "no node subnet: \((try? lab.gatewayRoutes()) ?? [])")
        #expect(try Self.leasedSubnets(lab).count == 4, "the nodes hold their own subnets all the same")

        for (leaving, staying) in [(two, [one.address4, one.address6]), (one, [])] {
            let cleanup = try leaving.namespace.exec([lab.agentBinary, "--cleanup", "--config", leaving.config], check: false)
            #expect(cleanup.succeeded, "\(cleanup.stdout)\(cleanup.stderr)")
            let withdrawn = try waitUntil(timeout: 60, interval: 0.1) {
                try paths().values.reduce(Set()) { $0.union($1) } == Set(staying)
            }
            #expect(withdrawn, "after \(leaving.name) left the gateway has \((try? paths()) ?? [:])\n\(lab.logs())")
        }
        #expect(try lab.gatewayRoutes().isEmpty, "\((try? lab.gatewayRoutes()) ?? [])")
    }

    /// A route and a nexthop deleted by hand are back within 1 s (event-driven repair).
    @Test func aRouteOrNexthopDeletedByHandComesBack() async throws {
        try await offPool { try Self.aRouteOrNexthopDeletedByHandComesBackBody() }
    }

    static func aRouteOrNexthopDeletedByHandComesBackBody() throws {
        let lab = try Self.fourNodes(pods: false)
        #expect(try waitUntil(timeout: 60, interval: 0.1) { try Self.hostRoutesComplete(lab, nodes: lab.nodes) }, "\(lab.logs())")
        let node = lab.nodes[0]
        let subnet = try lab.subnets(lab.nodes[1])[0]
        // Timed from the kernel's removal to its re-adding (both seen on a netlink monitor).
        let routeBack = try KernelRepairClock(node.namespace, groups: [.ipv4Route]).time({
            try node.namespace.exec(["ip", "route", "del", subnet, "proto", "207"])
        }, startsAt: { $0.isRoute(to: subnet, removed: true) }, stopsAt: { $0.isRoute(to: subnet, removed: false) })
        #expect(routeBack.map { $0 < .seconds(1) } == true, "route back after \(String(describing: routeBack))\n\(lab.logs())")
        #expect(try lab.route(node, subnet).contains("proto 207"))

        // The nexthop of node 3: its routes go with it in the kernel; both come back.
        let third = try lab.subnets(lab.nodes[2])[0]
        let id = try #require(lab.route(node, third).split(separator: " ").drop { $0 != "nhid" }.dropFirst().first.flatMap { UInt32($0) })
        let nexthopBack = try KernelRepairClock(node.namespace, groups: [.ipv4Route, .nexthop]).time({
            try node.namespace.exec(["ip", "nexthop", "del", "id", "\(id)"])
        }, startsAt: { $0.isNexthop(id, removed: true) }, stopsAt: { $0.isRoute(to: third, removed: false) })
        #expect(nexthopBack.map { $0 < .seconds(1) } == true, "nexthop and route back after \(String(describing: nexthopBack))\n\(lab.logs())")
        #expect(try lab.route(node, third).contains("proto 207"))
        print("EdgeNodes repair: route back in \(String(describing: routeBack)), nexthop and route in \(String(describing: nexthopBack))")
    }

    /// SIGKILL and restart under 100 packets/s between pods on two nodes: no packet lost,
    /// and none of our routes was removed (the restart adopts them).
    @Test func aKilledAgentRestartsWithoutLosingAPacket() async throws {
        try await offPool { try Self.aKilledAgentRestartsWithoutLosingAPacketBody() }
    }

    static func aKilledAgentRestartsWithoutLosingAPacketBody() throws {
        let lab = try EdgeLab()
        try lab.startGateway()
        for index in 1...2 { try lab.startAgent(try lab.addNode(index)) }
        let one = lab.nodes[0], two = lab.nodes[1]
        let from = try lab.addPod(one, "1a"), to = try lab.addPod(two, "2a")
        #expect(try waitUntil(timeout: 60, interval: 0.1) { try Self.hostRoutesComplete(lab, nodes: lab.nodes) }, "\(lab.logs())")
        let monitors = [try lab.monitorRoutes(one, "monitor1.log"), try lab.monitorRoutes(two, "monitor2.log")]
        let ping = try from.namespace.spawn(["ping", "-n", "-q", "-i", "0.01", "-c", "600", to.address4],
                                            logFile: lab.directory.file("ping.log"))
        usleep(1_000_000)
        for node in [one, two] {
            node.agent?.signal(SIGKILL)
            node.agent?.terminate()
            try lab.startAgent(node)
        }
        #expect(waitUntil(timeout: 60) { !ping.isRunning })
        let summary = (try? String(contentsOfFile: lab.directory.file("ping.log"), encoding: .utf8)) ?? ""
        #expect(summary.contains("600 packets transmitted, 600 received"), "\(summary)\n\(lab.logs())")
        for file in monitors {
            let events = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            let ours = events.split(separator: "\n").filter { $0.contains("Deleted") && $0.contains("proto 207") }
            #expect(ours.isEmpty, "routes of ours removed: \(ours)\n\(events)\n\(lab.agentLog(one))\n\(lab.agentLog(two))")
        }
        #expect(lab.agentLog(one).contains("peer routes adopted"), "\(lab.agentLog(one))")
    }

    /// A node on another network behind the gateway: no host route to it, `status` says it
    /// is reached through the gateway, and pods reach it that way.
    @Test func aNodeOnAnotherNetworkIsReachedThroughTheGateway() async throws {
        try await offPool { try Self.aNodeOnAnotherNetworkIsReachedThroughTheGatewayBody() }
    }

    static func aNodeOnAnotherNetworkIsReachedThroughTheGatewayBody() throws {
        let lab = try Self.fourNodes()
        let remote = try lab.addNode(5, remote: true)
        try lab.startAgent(remote)
        let pod = try lab.addPod(remote, "5a")
        let subnets = try lab.subnets(remote)
        #expect(try waitUntil(timeout: 60, interval: 0.2) { try lab.gatewayRoutes().isSuperset(of: Set(subnets)) }, "\(lab.logs())")
        let first = lab.nodes[0]
        let reported = try waitUntil(timeout: 60, interval: 0.1) {
            ((try lab.status(first)["routes"] as? [String: Any])?["viaGateway"] as? [String] ?? []).contains { $0.hasPrefix("edge-5") }
        }
        #expect(reported, "\((try? lab.status(first)) ?? [:])")
        for subnet in subnets { #expect(try lab.route(first, subnet).isEmpty, "no host route to \(subnet)") }
        // The new pod's IPv6 address may still be tentative (DAD) for a moment.
        for from in first.pods {
            #expect(try waitUntil(timeout: 60) { try lab.ping(from, pod.address4, timeout: 1) }, "\(from.address4) -> \(pod.address4)\n\(lab.logs())")
            #expect(try waitUntil(timeout: 60) { try lab.ping(from, pod.address6, timeout: 1) },
                    "\(from.address6) -> \(pod.address6)\n\(lab.routeTables([first, remote]))")
        }
    }
}
