@testable import Netlink
import NetworkCore
import Testing

@Suite struct RouteAttributeTests {
    @Test func encodesPaddedTLVs() {
        let bytes = RouteAttribute.encode([RouteAttribute(type: 3, string: "eth0"), RouteAttribute(type: 4, uint8: 7)])
        // "eth0\0" is 5 bytes: header 4 + 5 = 9, padded to 12; then 4 + 1 padded to 8.
        #expect(bytes.count == 20)
        #expect(Array(bytes[0..<4]) == [9, 0, 3, 0])
        #expect(Array(bytes[12..<17]) == [5, 0, 4, 0, 7])
    }

    @Test func roundTripsNestedAttributes() throws {
        let inner = [RouteAttribute(type: 1, string: "veth"), RouteAttribute(type: 2, uint32: 0xDEAD_BEEF)]
        let outer = [RouteAttribute(type: 18, nested: inner), RouteAttribute(type: 4, uint32: 1500),
                     RouteAttribute(type: 1, address: IPAddress("fd00::1")!)]
        let decoded = try RouteAttribute.decode(RouteAttribute.encode(outer)[...])
        #expect(decoded == outer)
        #expect(decoded[0].type == 18)
        #expect(decoded[0].rawType & 0x8000 != 0)
        #expect(try decoded[0].nested() == inner)
        #expect(try decoded[1].uint32() == 1500)
        #expect(try decoded[2].address() == IPAddress("fd00::1"))
        #expect(try decoded.first(18)?.nested().first(1)?.string() == "veth")
    }

    @Test func lastAttributeMayOmitPadding() throws {
        let bytes: [UInt8] = [5, 0, 9, 0, 42]
        #expect(try RouteAttribute.decode(bytes[...]) == [RouteAttribute(type: 9, uint8: 42)])
    }

    @Test(arguments: [
        [8, 0, 1, 0, 1, 2] as [UInt8],          // length past the end
        [2, 0, 1, 0],                           // length below the header
        [8, 0, 1, 0, 1, 2, 3, 4, 9],            // trailing bytes that are not an attribute
    ])
    func rejectsMalformed(bytes: [UInt8]) {
        #expect(throws: NetlinkDecodingError.self) { try RouteAttribute.decode(bytes[...]) }
    }

    @Test func typedAccessorsCheckSizes() {
        let attribute = RouteAttribute(type: 1, value: [1, 2, 3])
        #expect(throws: NetlinkDecodingError.self) { try attribute.uint32() }
        #expect(throws: NetlinkDecodingError.self) { try attribute.uint8() }
        #expect(throws: NetlinkDecodingError.self) { try attribute.address() }
        #expect(RouteAttribute(type: 1, value: Array("lo".utf8)).string() == "lo")
    }
}
