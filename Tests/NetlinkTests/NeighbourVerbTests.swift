import Netlink
import NetworkCore
import Testing

/// Permanent neighbour entries and on-link routes against a real kernel, in a `te-` namespace:
/// what a cloud pod's link-local gateway is made of.
@Suite struct NeighbourVerbTests {
    @Test func aPermanentNeighbourAndAnOnLinkDefaultRouteViaALinkLocalGateway() throws {
        let ns = try LiveNamespace("neigh")
        try ns.socket.addLink(LinkSettings(name: "v0", up: true), kind: .veth(peer: LinkSettings(name: "v1")))
        try ns.socket.setLinkUp("v1")
        let index = try ns.socket.link(named: "v0").index
        let mac = try #require(MACAddress("02:00:00:00:00:01"))
        for gateway in [IPAddress("169.254.1.1")!, IPAddress("fe80::1")!] {
            let entry = Neighbour(address: gateway, mac: mac, index: index)
            try ns.socket.replaceNeighbour(entry)
            try ns.socket.replaceNeighbour(entry) // replace: idempotent
            #expect(try ns.socket.listNeighbours(family: gateway.family, index: index).contains(entry))
            let route = KernelRoute(destination: .defaultRoute(gateway.family), gateway: gateway, outputInterface: index, onLink: true)
            if gateway.family == .v4 {
                // No address of v0 covers the gateway: only `onlink` makes the kernel take it.
                #expect(throws: NetlinkError.self) { try ns.socket.addRoute(KernelRoute(destination: .defaultRoute(.v4), gateway: gateway, outputInterface: index)) }
            }
            try ns.socket.addRoute(route)
            #expect(try ns.socket.listRoutes(family: gateway.family).contains { $0.gateway == gateway && $0.onLink && $0.destination.length == 0 })
        }
        #expect(try ns.exec(["ip", "neigh", "show", "dev", "v0"]).contains("169.254.1.1 lladdr 02:00:00:00:00:01 PERMANENT"))
        #expect(try ns.exec(["ip", "route", "show"]).contains("default via 169.254.1.1 dev v0 onlink"))
    }

    @Test func neighbourMessagesRoundTrip() throws {
        let entry = Neighbour(address: IPAddress("fe80::1")!, mac: MACAddress("02:00:00:00:00:01")!, index: 7)
        #expect(try Neighbour(NeighbourMessage(decoding: NeighbourMessage(family: 10, index: 7, state: Neighbour.permanent,
                                                                          attributes: [.init(type: 1, address: entry.address),
                                                                                       .init(type: 2, value: entry.mac!.bytes)]).encoded()[...])) == entry)
        #expect(throws: NetlinkDecodingError.self) { try NeighbourMessage(decoding: [1, 2, 3][...]) }
    }
}
