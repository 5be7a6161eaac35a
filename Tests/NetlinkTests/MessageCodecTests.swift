@testable import Netlink
import NetworkCore
import Testing

/// ifinfomsg / ifaddrmsg / rtmsg / fib_rule_hdr encode-decode without a kernel.
@Suite struct MessageCodecTests {
    @Test func linkMessageRoundTrips() throws {
        let peer = LinkSettings(name: "eth0", mtu: 1450, mac: MACAddress("02:00:00:00:00:02"), up: true, namespaceFD: 7)
        let request = NetlinkRequest.addLink(LinkSettings(name: "veth0", mtu: 1450, up: true, masterIndex: 4),
                                             kind: .veth(peer: peer))
        let message = try LinkMessage(decoding: request.payload[...])
        #expect(message.encoded() == request.payload)
        #expect(message.flags == 1 && message.change == 1)
        let info = try #require(message.attributes.first(18)).nested()   // IFLA_LINKINFO
        #expect(info.first(1)?.string() == "veth")
        let peerBytes = try #require(info.first(2)?.nested().first(1)).value   // INFO_DATA / VETH_INFO_PEER
        let decodedPeer = try LinkMessage(decoding: peerBytes[...])
        #expect(decodedPeer.attributes.first(3)?.string() == "eth0")
        #expect(try decodedPeer.attributes.first(28)?.int32() == 7)      // IFLA_NET_NS_FD
    }

    @Test func linkDecodesFromKernelShapedMessage() throws {
        let message = LinkMessage(index: 5, flags: 0x1043, attributes: [
            RouteAttribute(type: 3, string: "cni0"), RouteAttribute(type: 4, uint32: 1500),
            RouteAttribute(type: 1, value: [2, 0, 0, 0, 0, 9]), RouteAttribute(type: 10, int32: 2),
            RouteAttribute(type: 18, nested: [RouteAttribute(type: 1, string: "bridge")]),
        ])
        let link = try Link(LinkMessage(decoding: message.encoded()[...]))
        #expect(link.index == 5 && link.name == "cni0" && link.mtu == 1500 && link.isUp)
        #expect(link.mac == MACAddress("02:00:00:00:00:09"))
        #expect(link.masterIndex == 2 && link.kind == "bridge")
        #expect(throws: NetlinkDecodingError.self) { try Link(LinkMessage(index: 1)) }
    }

    @Test(arguments: ["10.0.3.7/24", "fd00:0:3::7/64"])
    func addressRoundTrips(text: String) throws {
        let address = try #require(InterfaceAddress(text))
        let message = Address.message(address, index: 9, noDAD: address.family == .v6)
        let decoded = try Address(AddressMessage(decoding: message.encoded()[...]))
        #expect(decoded.address == address)
        #expect(decoded.index == 9)
        #expect(decoded.flags == (address.family == .v6 ? 0x02 : 0))
    }

    @Test func addressRejectsMismatchedFamily() {
        let message = AddressMessage(family: 10, prefixLength: 24, attributes: [RouteAttribute(type: 1, address: IPAddress("10.0.0.1")!)])
        #expect(throws: NetlinkDecodingError.self) { try Address(message) }
        #expect(throws: NetlinkDecodingError.self) { try AddressMessage(decoding: [10, 24, 0][...]) }
    }

    @Test(arguments: [
        KernelRoute(destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("10.0.3.1"), outputInterface: 2),
        KernelRoute(destination: IPPrefix("10.1.0.0/16")!, outputInterface: 3, source: IPAddress("10.0.3.7"), metric: 100,
              table: 1000, protocolID: 4),
        KernelRoute(destination: IPPrefix("fd00:1::/48")!, gateway: IPAddress("fd00::1"), metric: 1024, table: 7),
        // RFC 8950: an IPv4 route via an IPv6 gateway (RTA_VIA), and a link-local gateway with its device.
        KernelRoute(destination: IPPrefix("10.2.0.0/24")!, gateway: IPAddress("fd00::1"), protocolID: 206),
        KernelRoute(destination: IPPrefix("10.3.0.0/24")!, gateway: IPAddress("fe80::1"), outputInterface: 4),
    ])
    func routeRoundTrips(route: KernelRoute) throws {
        let decoded = try KernelRoute(RouteMessage(decoding: route.message().encoded()[...]))
        var expected = route
        expected.scope = route.message().scope
        #expect(decoded == expected)
    }

    /// RTA_VIA (18) carries the gateway of the other family: `struct rtvia`, family then address.
    @Test func gatewayOfTheOtherFamilyGoesInRTAVia() {
        let message = KernelRoute(destination: IPPrefix("10.2.0.0/24")!, gateway: IPAddress("fd00::1")).message()
        #expect(message.attributes.first(5) == nil)   // no RTA_GATEWAY
        #expect(message.attributes.first(18)?.value == [10, 0] + IPAddress("fd00::1")!.bytes)
    }

    @Test func routeDefaultsFollowIproute2() {
        let onLink = KernelRoute(destination: IPPrefix("10.1.0.0/24")!, outputInterface: 2).message()
        #expect(onLink.scope == 253)      // link
        let viaGateway = KernelRoute(destination: IPPrefix("10.1.0.0/24")!, gateway: IPAddress("10.0.0.1")).message()
        #expect(viaGateway.scope == 0 && viaGateway.protocolID == 3 && viaGateway.type == 1 && viaGateway.table == 254)
        let deletion = KernelRoute(destination: IPPrefix("10.1.0.0/24")!, table: 300).message(forDeletion: true)
        #expect(deletion.scope == 255 && deletion.protocolID == 0 && deletion.type == 0 && deletion.table == 0)
        #expect(deletion.attributes.first(15).map { try! $0.uint32() } == 300)   // RTA_TABLE
    }

    @Test(arguments: [
        Rule(family: .v4, priority: 100, source: IPPrefix("10.0.3.0/24")!, table: 100),
        Rule(family: .v6, priority: 200, destination: IPPrefix("fd00::/8")!, table: 1000, inputInterface: "cni0",
             outputInterface: "eth1", fwmark: 0x10, fwmask: 0xff),
    ])
    func ruleRoundTrips(rule: Rule) throws {
        #expect(try Rule(RuleMessage(decoding: rule.message().encoded()[...])) == rule)
    }

    @Test func routeRejectsBadPrefix() {
        let message = RouteMessage(family: 2, destinationLength: 40, attributes: [RouteAttribute(type: 1, address: IPAddress("10.0.0.0")!)])
        #expect(throws: NetlinkDecodingError.self) { try KernelRoute(message) }
        #expect(throws: NetlinkDecodingError.self) { try KernelRoute(RouteMessage(family: 7)) }
    }
}
