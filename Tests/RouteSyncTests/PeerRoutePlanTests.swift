import Netlink
import NetworkCore
@testable import RouteSync
import Testing

/// The pure planning of one peer's routes: no kernel, no root.
@Suite struct PeerRoutePlanTests {
    static let connected = [
        ConnectedNetwork(prefix: IPPrefix("10.100.0.0/16")!, linkIndex: 2, localAddress: IPAddress("10.100.0.1")!),
        ConnectedNetwork(prefix: IPPrefix("10.100.7.0/24")!, linkIndex: 3, localAddress: IPAddress("10.100.7.1")!),
    ]

    private func plan(_ peer: PeerNode, mode: RoutesMode = .nexthop) -> PeerRoutePlan {
        PeerRoutePlan.make(for: peer, connected: Self.connected, mode: mode, table: 254, protocolID: 207, metric: 20) { family, _ in
            family == .v4 ? 0x4000_0001 : 0x4000_0002
        }
    }

    @Test func connectedPeerGetsANexthopOnTheLongestMatchingLink() {
        let peer = PeerNode(name: "edge-2", nodeAddress: IPAddress("10.100.7.9")!, subnets: [IPPrefix("10.244.2.0/24")!])
        let result = plan(peer)
        #expect(result.nexthops == [Nexthop(id: 0x4000_0001, gateway: IPAddress("10.100.7.9"), outputInterface: 3, protocolID: 207)])
        #expect(result.routes == [KernelRoute(destination: IPPrefix("10.244.2.0/24")!, nexthopID: 0x4000_0001, metric: 20, protocolID: 207)])
        #expect(result.viaGateway.isEmpty && result.problems.isEmpty)
        #expect(plan(peer, mode: .classic).routes == [KernelRoute(destination: IPPrefix("10.244.2.0/24")!, gateway: IPAddress("10.100.7.9"),
                                                           outputInterface: 3, metric: 20, protocolID: 207)])
        #expect(plan(peer, mode: .classic).nexthops.isEmpty)
    }

    @Test func familiesWithoutAReachableAddressGoViaTheGateway() {
        let peer = PeerNode(name: "edge-3", nodeAddress: IPAddress("10.100.0.3")!,
                            subnets: [IPPrefix("10.244.3.0/24")!, IPPrefix("fd44:3::/64")!])
        let result = plan(peer)
        #expect(result.routes.map(\.destination) == [IPPrefix("10.244.3.0/24")!])
        #expect(result.viaGateway == [PeerRoutePlan.Unrouted(node: "edge-3", subnets: [IPPrefix("fd44:3::/64")!], reason: "no IPv6 node address")])

        let far = plan(PeerNode(name: "dc-1", nodeAddress: IPAddress("192.0.2.9")!, subnets: [IPPrefix("10.244.9.0/24")!]))
        #expect(far.routes.isEmpty && far.nexthops.isEmpty)
        #expect(far.viaGateway.first?.reason == "192.0.2.9 is not on a connected network")
    }

    @Test func aPeerWithThisNodesAddressIsAProblemNotARoute() {
        let result = plan(PeerNode(name: "twin", nodeAddress: IPAddress("10.100.0.1")!, subnets: [IPPrefix("10.244.4.0/24")!]))
        #expect(result.routes.isEmpty)
        #expect(result.problems.first?.contains("has this node's address 10.100.0.1") == true)
    }

    @Test func connectedNetworksLeaveOutDownLinksLoopbackAndHostPrefixes() throws {
        func address(_ text: String, index: Int32, scope: UInt8 = 0) throws -> Address {
            let interface = try #require(InterfaceAddress(text))
            var message = AddressMessage(family: interface.family == .v4 ? 2 : 10, prefixLength: UInt8(interface.prefixLength),
                                         scope: scope, index: UInt32(index))
            message.attributes = [RouteAttribute(type: 2, address: interface.address)]   // IFA_LOCAL
            return try Address(message)
        }
        func link(_ index: Int32, up: Bool) throws -> Link {
            try Link(LinkMessage(index: index, flags: up ? 1 : 0, attributes: [RouteAttribute(type: 3, string: "l\(index)")]))
        }
        let networks = ConnectedNetwork.from(
            addresses: [try address("127.0.0.1/8", index: 1, scope: 254), try address("10.100.0.1/16", index: 2),
                        try address("10.9.0.1/24", index: 3), try address("10.8.0.1/32", index: 2)],
            links: [try link(1, up: true), try link(2, up: true), try link(3, up: false)])
        #expect(networks == [ConnectedNetwork(prefix: IPPrefix("10.100.0.0/16")!, linkIndex: 2, localAddress: IPAddress("10.100.0.1")!)])
    }
}
