import Glibc
import Netlink
import NetworkCore
import Testing

/// Nexthop objects, routes through them and the monitor, against a real kernel in a `te-` namespace.
@Suite struct NexthopVerbTests {
    private func namespaceWithLink(_ label: String) throws -> (LiveNamespace, Int32) {
        let ns = try LiveNamespace(label)
        try ns.socket.addLink(LinkSettings(name: "v0", up: true), kind: .veth(peer: LinkSettings(name: "v1")))
        try ns.socket.setLinkUp("v1")
        let index = try ns.socket.link(named: "v0").index
        try ns.socket.addAddress(InterfaceAddress("10.9.0.1/24")!, index: index)
        try ns.socket.addAddress(InterfaceAddress("fd09::1/64")!, index: index, noDAD: true)
        return (ns, index)
    }

    @Test func addReplaceGetListDelete() throws {
        let (ns, index) = try namespaceWithLink("nhop")
        let nexthop = Nexthop(id: 7, gateway: IPAddress("10.9.0.2"), outputInterface: index, protocolID: 207)
        let v6 = Nexthop(id: 8, gateway: IPAddress("fd09::2"), outputInterface: index, protocolID: 207)
        try ns.socket.perform([.addNexthop(nexthop), .addNexthop(v6)])
        try ns.exec(["ip", "nexthop", "add", "id", "9", "via", "10.9.0.3", "dev", "v0"])   // someone else's (proto boot)
        #expect(try ns.exec(["ip", "nexthop", "show", "id", "7"]).contains("id 7 via 10.9.0.2 dev v0 scope link proto 207"))
        #expect(try ns.socket.nexthop(id: 7).forwardsLike(nexthop))
        #expect(try ns.socket.nexthops(protocolID: 207).map(\.id).sorted() == [7, 8])
        #expect(try ns.socket.nexthops().count == 3)
        #expect { try ns.socket.addNexthop(nexthop) } throws: { ($0 as? NetlinkError)?.isExists == true }

        // A route through it carries RTA_NH_ID; replacing the nexthop moves the route with it.
        let route = KernelRoute(destination: IPPrefix("10.244.1.0/24")!, nexthopID: 7, protocolID: 207)
        try ns.socket.addRoute(route)
        let listed = try #require(try ns.socket.listRoutes(family: .v4).first { $0.destination == route.destination })
        #expect(listed.nexthopID == 7 && listed.gateway == IPAddress("10.9.0.2"))
        var moved = nexthop
        moved.gateway = IPAddress("10.9.0.4")
        try ns.socket.replaceNexthop(moved)
        #expect(try ns.exec(["ip", "route", "show", "10.244.1.0/24"]).contains("nhid 7 via 10.9.0.4 dev v0"))

        // Deleting the nexthop takes its routes; a missing id is not found.
        try ns.socket.deleteNexthop(id: 7)
        #expect(try ns.exec(["ip", "route", "show", "10.244.1.0/24"]).isEmpty)
        #expect { try ns.socket.deleteNexthop(id: 7) } throws: { ($0 as? NetlinkError)?.isNotFound == true }
        #expect { try ns.socket.nexthop(id: 7) } throws: { ($0 as? NetlinkError)?.isNotFound == true }
    }

    @Test func monitorReportsRouteNexthopAndLinkEvents() throws {
        let (ns, index) = try namespaceWithLink("nhmon")
        let monitor = try ns.namespace.openNetlinkMonitor(groups: [.link, .ipv4Route, .nexthop])
        try ns.exec(["ip", "nexthop", "add", "id", "5", "via", "10.9.0.2", "dev", "v0", "proto", "207"])
        try ns.exec(["ip", "route", "add", "10.244.5.0/24", "nhid", "5", "proto", "207"])
        try ns.exec(["ip", "route", "del", "10.244.5.0/24"])
        try ns.exec(["ip", "link", "set", "v1", "down"])
        var events: [NetlinkEvent] = []
        while let event = try monitor.next(timeout: .milliseconds(500)) { events.append(event) }
        #expect(events.contains(.nexthop(Nexthop(id: 5, gateway: IPAddress("10.9.0.2"), outputInterface: index, protocolID: 207), removed: false)))
        #expect(events.contains { if case .route(let r, true) = $0 { r.destination == IPPrefix("10.244.5.0/24") && r.nexthopID == 5 } else { false } })
        #expect(events.contains { if case .link(let l, false) = $0 { l.name == "v1" } else { false } })
    }

    @Test func overflowIsReportedAsEventsLost() throws {
        let (ns, index) = try namespaceWithLink("nhlost")
        let monitor = try ns.namespace.run { try NetlinkMonitor(groups: [.ipv4Route], receiveBufferSize: 4096) }
        // Far more events than a 4 KiB buffer holds, none read meanwhile.
        let routes = (0..<2000).map { i in
            NetlinkRequest.addRoute(KernelRoute(destination: IPPrefix(network: .v4(IPv4Address(UInt32(0x0B00_0000) + UInt32(i) << 8)), length: 24)!,
                                          gateway: IPAddress("10.9.0.2"), outputInterface: index, protocolID: 207))
        }
        try ns.socket.perform(routes)
        var sawLost = false
        while let event = try monitor.next(timeout: .milliseconds(200)) {
            if event == .eventsLost { sawLost = true; break }
        }
        #expect(sawLost)
    }
}

/// A monitor can leave out the notifications of one socket's own changes.
@Suite struct MonitorOriginTests {
    @Test func ownChangesAreIgnoredOthersReported() throws {
        let ns = try LiveNamespace("nhown")
        try ns.socket.addLink(LinkSettings(name: "v0", up: true), kind: .veth(peer: LinkSettings(name: "v1")))
        try ns.socket.setLinkUp("v1")
        let index = try ns.socket.link(named: "v0").index
        try ns.socket.addAddress(InterfaceAddress("10.9.0.1/24")!, index: index)
        let monitor = try ns.namespace.openNetlinkMonitor(groups: [.ipv4Route])
        #expect(ns.socket.portID != 0)
        monitor.ignoredPortIDs = [ns.socket.portID]
        try ns.socket.addRoute(KernelRoute(destination: IPPrefix("10.50.0.0/24")!, gateway: IPAddress("10.9.0.2"), protocolID: 207))
        try ns.exec(["ip", "route", "add", "10.51.0.0/24", "via", "10.9.0.2", "proto", "207"])
        var destinations: [IPPrefix] = []
        while let event = try monitor.next(timeout: .milliseconds(300)) {
            if case .route(let route, false) = event { destinations.append(route.destination) }
        }
        #expect(destinations == [IPPrefix("10.51.0.0/24")!])
    }

    /// Another daemon's routes are dropped in the kernel, before the socket; the rest pass.
    @Test func routesOfADroppedProtocolNeverArrive() throws {
        let ns = try LiveNamespace("nhbpf")
        try ns.socket.addLink(LinkSettings(name: "v0", up: true), kind: .veth(peer: LinkSettings(name: "v1")))
        try ns.socket.setLinkUp("v1")
        let index = try ns.socket.link(named: "v0").index
        try ns.socket.addAddress(InterfaceAddress("10.9.0.1/24")!, index: index)
        let monitor = try ns.namespace.openNetlinkMonitor(groups: [.ipv4Route, .link])
        try monitor.dropRoutes(ofProtocol: 206)
        try ns.exec(["ip", "route", "add", "10.50.0.0/24", "via", "10.9.0.2", "proto", "206"])
        try ns.exec(["ip", "route", "add", "10.51.0.0/24", "via", "10.9.0.2", "proto", "static"])
        try ns.exec(["ip", "route", "del", "10.50.0.0/24"])
        try ns.exec(["ip", "route", "del", "10.51.0.0/24"])
        try ns.exec(["ip", "link", "set", "v1", "down"])
        var routes: [String] = []
        var sawLink = false
        while let event = try monitor.next(timeout: .milliseconds(300)) {
            if case .route(let route, let removed) = event { routes.append("\(removed ? "del" : "add") \(route.destination)") }
            if case .link = event { sawLink = true }
        }
        #expect(routes == ["add 10.51.0.0/24", "del 10.51.0.0/24"])
        #expect(sawLink)
    }
}
