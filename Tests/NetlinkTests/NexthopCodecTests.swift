import CNetlink
@testable import Netlink
import NetworkCore
import Testing

/// Nexthop messages, routes by nexthop id and monitor events: pure encode/decode, no root.
@Suite struct NexthopCodecTests {
    @Test func nexthopRoundTripsThroughItsMessage() throws {
        for nexthop in [Nexthop(id: 0x4000_0007, gateway: IPAddress("10.100.0.2"), outputInterface: 3, protocolID: 207),
                        Nexthop(id: 9, gateway: IPAddress("fd00::2"), outputInterface: 4, protocolID: 207),
                        Nexthop(id: 11, family: .v6, blackhole: true)] {
            let bytes = nexthop.message().encoded()
            #expect(try Nexthop(NexthopMessage(decoding: bytes[...])) == nexthop)
        }
    }

    @Test func nexthopMessageLayoutIsNhmsg() {
        let bytes = Nexthop(id: 1, gateway: IPAddress("10.0.0.2"), outputInterface: 2, protocolID: 207).message().encoded()
        // nhmsg: family AF_INET, scope 0, protocol 207, reserved, flags 0; then NHA_ID (8 bytes), NHA_GATEWAY (8), NHA_OIF (8).
        #expect(Array(bytes.prefix(8)) == [2, 0, 207, 0, 0, 0, 0, 0])
        #expect(bytes.count == 8 + 8 + 8 + 8)
        #expect(Array(bytes[8..<16]) == [8, 0, UInt8(NHA_ID), 0, 1, 0, 0, 0])
    }

    @Test func nexthopWithoutIDIsRefused() {
        #expect(throws: NetlinkDecodingError.self) { try Nexthop(NexthopMessage(family: 2)) }
    }

    @Test func routeByNexthopIDCarriesOnlyTheID() throws {
        let route = KernelRoute(destination: IPPrefix("10.244.7.0/24")!, gateway: IPAddress("10.0.0.9"), nexthopID: 42,
                          metric: 20, protocolID: 207)
        let message = route.message()
        #expect(message.attributes.first(RTA_NH_ID.rawValue)?.value == [42, 0, 0, 0])
        #expect(message.attributes.first(RTA_GATEWAY.rawValue) == nil)
        #expect(message.scope == UInt8(RT_SCOPE_UNIVERSE.rawValue))
        let decoded = try KernelRoute(RouteMessage(decoding: message.encoded()[...]))
        #expect(decoded.nexthopID == 42 && decoded.gateway == nil && decoded.protocolID == 207)
        #expect(route.description == "10.244.7.0/24 nhid 42 via 10.0.0.9 metric 20 table 254")
    }

    @Test func monitorEventsDecode() throws {
        let route = KernelRoute(destination: IPPrefix("10.244.7.0/24")!, nexthopID: 42, protocolID: 207)
        let deleted = NetlinkMessage(type: UInt16(RTM_DELROUTE), flags: 0, payload: route.message().encoded())
        #expect(try NetlinkEvent.decode(deleted) == .route(try KernelRoute(route.message()), removed: true))

        let nexthop = Nexthop(id: 42, gateway: IPAddress("10.0.0.9"), outputInterface: 2, protocolID: 207)
        let added = NetlinkMessage(type: UInt16(RTM_NEWNEXTHOP), flags: 0, payload: nexthop.message().encoded())
        #expect(try NetlinkEvent.decode(added) == .nexthop(nexthop, removed: false))

        var cloned = route.message()
        cloned.flags = UInt32(RTM_F_CLONED)
        #expect(try NetlinkEvent.decode(NetlinkMessage(type: UInt16(RTM_NEWROUTE), flags: 0, payload: cloned.encoded())) == nil)
        #expect(try NetlinkEvent.decode(NetlinkMessage(type: UInt16(RTM_NEWNEIGH), flags: 0, payload: [])) == nil)
        // A truncated event is a decoding error, not a trap.
        #expect(throws: NetlinkDecodingError.self) {
            try NetlinkEvent.decode(NetlinkMessage(type: UInt16(RTM_NEWNEXTHOP), flags: 0, payload: [2, 0, 207]))
        }
    }
}
