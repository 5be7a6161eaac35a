import Glibc
import Netlink
import NetworkCore
import Testing

/// Addresses, routes and rules against a real kernel, inside a `te-` namespace.
@Suite struct RoutingVerbTests {
    /// A namespace with an up veth `v0` (peer `v1` up too) and its index.
    private func namespaceWithLink(_ label: String) throws -> (LiveNamespace, Int32) {
        let ns = try LiveNamespace(label)
        // A veth peer cannot be brought up in the creating request (it has no peer yet: ENOTCONN).
        try ns.socket.addLink(LinkSettings(name: "v0", up: true), kind: .veth(peer: LinkSettings(name: "v1")))
        try ns.socket.setLinkUp("v1")
        return (ns, try ns.socket.link(named: "v0").index)
    }

    @Test func addressesV4AndV6() throws {
        let (ns, index) = try namespaceWithLink("addr")
        let v4 = try #require(InterfaceAddress("10.9.0.1/24")), v6 = try #require(InterfaceAddress("fd09::1/64"))
        try ns.socket.addAddress(v4, index: index)
        try ns.socket.addAddress(v6, index: index, noDAD: true)
        let listed = try ns.socket.listAddresses(index: index)
        #expect(listed.contains { $0.address == v4 && $0.scope == 0 })
        let listedV6 = try #require(listed.first { $0.address == v6 })
        #expect(listedV6.flags & 0x02 != 0)         // IFA_F_NODAD
        #expect(listedV6.flags & 0x40 == 0)         // not tentative: no DAD ran
        #expect(try ns.socket.listAddresses(family: .v4).allSatisfy { $0.address.family == .v4 })
        #expect(try ns.exec(["ip", "addr", "show", "v0"]).contains("10.9.0.1/24"))

        #expect { try ns.socket.addAddress(v4, index: index) } throws: { ($0 as? NetlinkError)?.isExists == true }
        try ns.socket.deleteAddress(v4, index: index)
        #expect(try !ns.socket.listAddresses(index: index).contains { $0.address == v4 })
        #expect { try ns.socket.deleteAddress(v4, index: index) } throws: { ($0 as? NetlinkError)?.isNotFound == true }
    }

    /// RFC 8950 and RFC 2545 next hops as the kernel takes them: an IPv4 route via an IPv6
    /// gateway (RTA_VIA), and routes via a link-local gateway on a given device.
    @Test func routesViaAnIPv6OrLinkLocalGateway() throws {
        let (ns, index) = try namespaceWithLink("via6")
        try ns.socket.addAddress(InterfaceAddress("fd09::1/64")!, index: index, noDAD: true)
        let routes = [
            KernelRoute(destination: IPPrefix("10.70.0.0/24")!, gateway: IPAddress("fd09::2"), protocolID: 206),
            KernelRoute(destination: IPPrefix("10.71.0.0/24")!, gateway: IPAddress("fe80::2"), outputInterface: index, protocolID: 206),
            KernelRoute(destination: IPPrefix("fd71::/64")!, gateway: IPAddress("fe80::2"), outputInterface: index, protocolID: 206),
        ]
        for route in routes { try ns.socket.addRoute(route) }
        let listed = try ns.socket.listRoutes(family: .v4) + ns.socket.listRoutes(family: .v6)
        for route in routes {
            let found = try #require(listed.first { $0.destination == route.destination }, "\(route) not listed")
            #expect(found.gateway == route.gateway && found.outputInterface == index, "\(found)")
        }
        #expect(try ns.exec(["ip", "-4", "route", "show", "10.70.0.0/24"]).contains("via inet6 fd09::2"))
        for route in routes { try ns.socket.deleteRoute(route) }
    }

    @Test func routesAddReplaceDeleteList() throws {
        let (ns, index) = try namespaceWithLink("route")
        try ns.socket.addAddress(InterfaceAddress("10.9.0.1/24")!, index: index)
        try ns.socket.addAddress(InterfaceAddress("fd09::1/64")!, index: index, noDAD: true)

        let route = KernelRoute(destination: IPPrefix("10.50.0.0/16")!, gateway: IPAddress("10.9.0.2"), outputInterface: index,
                          source: IPAddress("10.9.0.1"), metric: 20, protocolID: 4)
        try ns.socket.addRoute(route)
        let listed = try #require(try ns.socket.listRoutes(family: .v4).first { $0.destination == route.destination })
        #expect(listed.gateway == route.gateway && listed.outputInterface == index && listed.metric == 20)
        #expect(listed.source == route.source && listed.protocolID == 4 && listed.table == KernelRoute.mainTable)
        #expect(try ns.exec(["ip", "route", "show", "10.50.0.0/16"]).contains("via 10.9.0.2"))

        var moved = route
        moved.gateway = IPAddress("10.9.0.3")
        try ns.socket.replaceRoute(moved)
        #expect(try ns.socket.listRoutes(family: .v4).filter { $0.destination == route.destination }.map(\.gateway) == [moved.gateway])

        // Another table, IPv6, on-link.
        let v6 = KernelRoute(destination: IPPrefix("fd50::/48")!, gateway: IPAddress("fd09::2"), table: 100)
        try ns.socket.addRoute(v6)
        let onLink = KernelRoute(destination: IPPrefix("10.60.0.0/24")!, outputInterface: index, table: 100)
        try ns.socket.addRoute(onLink)
        #expect(try ns.socket.listRoutes(family: .v6, table: 100).map(\.destination) == [v6.destination])
        let table100 = try ns.socket.listRoutes(family: .v4, table: 100)
        #expect(table100.map(\.destination) == [onLink.destination] && table100[0].scope == 253)
        #expect(try ns.socket.listRoutes(family: .v4, table: nil).count > table100.count)

        try ns.socket.deleteRoute(moved)
        try ns.socket.deleteRoute(v6)
        #expect(try !ns.socket.listRoutes(family: .v4).contains { $0.destination == route.destination })
        do {
            try ns.socket.deleteRoute(moved)
            Issue.record("deleted a missing route")
        } catch {
            #expect(error.isNotFound && error.errno == ESRCH)
        }
    }

    @Test func kernelErrorsCarryErrnoOperationObjectAndExtack() throws {
        let (ns, index) = try namespaceWithLink("err")
        try ns.socket.addAddress(InterfaceAddress("10.9.0.1/24")!, index: index)
        let unreachable = KernelRoute(destination: IPPrefix("10.70.0.0/16")!, gateway: IPAddress("192.0.2.1"))
        do {
            try ns.socket.addRoute(unreachable)
            Issue.record("route via an unreachable gateway was accepted")
        } catch {
            guard case .kernel(let failure) = error else {
                Issue.record("expected a kernel failure, got \(error)")
                return
            }
            #expect(failure.errno == ENETUNREACH)
            #expect(failure.operation == "addRoute")
            #expect(failure.object == "10.70.0.0/16 via 192.0.2.1 table 254")
            let extack = try #require(failure.extendedAck)
            #expect(extack.lowercased().contains("gateway"))
            #expect(error.description.contains("addRoute 10.70.0.0/16 via 192.0.2.1"))
            #expect(error.description.contains(extack))
        }
        // A batch reports the first failure but the kernel still runs the rest.
        let ok = KernelRoute(destination: IPPrefix("10.71.0.0/16")!, gateway: IPAddress("10.9.0.2"))
        #expect(throws: NetlinkError.self) { try ns.socket.perform([.addRoute(unreachable), .addRoute(ok)]) }
        #expect(try ns.socket.listRoutes(family: .v4).contains { $0.destination == ok.destination })
    }

    @Test func dumpOfManyRoutesIsReassembled() throws {
        let (ns, index) = try namespaceWithLink("dump")
        try ns.socket.addAddress(InterfaceAddress("10.9.0.1/24")!, index: index)
        let block = try #require(IPPrefix("10.128.0.0/9"))
        let routes = block.subnets(ofLength: 24).prefix(2000).map {
            KernelRoute(destination: $0, gateway: IPAddress("10.9.0.2"), table: 200)
        }
        try ns.socket.perform(routes.map { .addRoute($0) })
        let listed = try ns.socket.listRoutes(family: .v4, table: 200)
        #expect(listed.count == 2000)
        #expect(Set(listed.map(\.destination)) == Set(routes.map(\.destination)))
        #expect(try ns.exec(["ip", "route", "show", "table", "200"]).split(separator: "\n").count == 2000)
    }

    @Test func policyRules() throws {
        let ns = try LiveNamespace("rule")
        let fromPods = Rule(family: .v4, priority: 100, source: IPPrefix("10.0.3.0/24")!, table: 100)
        let marked = Rule(family: .v4, priority: 110, destination: IPPrefix("10.1.0.0/16")!, table: 101,
                          inputInterface: "cni0", fwmark: 0x10, fwmask: 0xff)
        let v6 = Rule(family: .v6, priority: 120, source: IPPrefix("fd00:3::/64")!, table: 102, outputInterface: "eth1")
        try ns.socket.addRule(fromPods)
        try ns.socket.addRule(marked)
        try ns.socket.addRule(v6)
        let rules = try ns.socket.listRules(family: .v4)
        #expect(rules.contains(fromPods) && rules.contains(marked))
        #expect(rules.contains { $0.priority == 32766 && $0.table == KernelRoute.mainTable })
        #expect(try ns.socket.listRules(family: .v6).contains(v6))
        #expect(try ns.exec(["ip", "rule", "show"]).contains("110:\tfrom all to 10.1.0.0/16 fwmark 0x10/0xff iif cni0 [detached] lookup 101"))

        try ns.socket.deleteRule(marked)
        #expect(try !ns.socket.listRules(family: .v4).contains(marked))
        #expect { try ns.socket.deleteRule(marked) } throws: { ($0 as? NetlinkError)?.isNotFound == true }
    }

    /// What a repair loop watches: a rule deleted by hand is announced with its selector and
    /// its table past 255 (FRA_TABLE), and added ones likewise.
    @Test func monitorReportsRuleEvents() throws {
        let ns = try LiveNamespace("rulemon")
        let monitor = try ns.namespace.openNetlinkMonitor(groups: [.ipv4Rule, .ipv6Rule])
        let fromPod = Rule(family: .v4, priority: 2048, source: IPPrefix("192.168.0.23/32")!, table: 1001)
        let v6 = Rule(family: .v6, priority: 512, destination: IPPrefix("2408:4005::17/128")!, table: 254)
        try ns.socket.addRule(fromPod)
        try ns.exec(["ip", "-6", "rule", "add", "pref", "512", "to", "2408:4005::17/128", "lookup", "main"])
        try ns.exec(["ip", "rule", "del", "pref", "2048", "from", "192.168.0.23/32", "lookup", "1001"])
        var events: [NetlinkEvent] = []
        while let event = try monitor.next(timeout: .milliseconds(300)) { events.append(event) }
        #expect(events == [.rule(fromPod, removed: false), .rule(v6, removed: false), .rule(fromPod, removed: true)])
    }
}
