import BGPCore
import NetworkCore
import Testing

/// UpdatePacker: many prefixes with one attribute set go out in as few UPDATEs as fit in
/// 4096 octets, and decode back to exactly what went in.
@Suite("Wire: UPDATE packing")
struct WirePackerTests {
    static let attributes = PathAttributes(origin: .igp, asPath: ASPath(sequence: [65002]),
                                           nextHop: .ipv4(IPv4Address(10, 254, 0, 2)),
                                           communities: [Community(asNumber: 65002, value: 100)])

    /// Splits a buffer of messages, checking each frame's size.
    static func split(_ bytes: [UInt8], options: BGPCodecOptions) throws -> [UpdateMessage] {
        var updates: [UpdateMessage] = []
        var offset = 0
        while offset < bytes.count {
            let rest = Array(bytes[offset...])
            let length = try rest.withUnsafeBytes { try BGPMessage.frameLength($0) } ?? 0
            #expect(length > 0 && length <= 4096)
            guard case .update(let update) = try BGPMessage.decode(Array(rest[..<length]), options: options) else {
                throw WireTestError.notAnUpdate
            }
            #expect(update.errors.isEmpty)
            updates.append(update)
            offset += length
        }
        return updates
    }

    @Test func ipv4AnnouncementsFillFullSizeMessages() throws {
        let options = BGPCodecOptions()
        let prefixes = (0..<10_000).map { IPv4NLRI(address: 0x0A00_0000 | UInt32($0) << 8, length: 24)! }
        var bytes: [UInt8] = []
        let count = UpdatePacker(options: options).announce(prefixes, attributes: Self.attributes, into: &bytes)
        let updates = try Self.split(bytes, options: options)
        #expect(updates.count == count)
        // 4096 - 19 header - 4 length fields - 27 attribute octets = 4046 octets: 1011 /24s each.
        #expect(updates.first?.nlri.count == 1011)
        #expect(count == 10)
        #expect(updates.flatMap(\.nlri) == prefixes)
        #expect(updates.allSatisfy { $0.attributes == Self.attributes })
    }

    @Test func ipv4Withdrawals() throws {
        let options = BGPCodecOptions()
        let prefixes = (0..<3000).map { IPv4NLRI(address: UInt32($0) << 12, length: 20)! }
        var bytes: [UInt8] = []
        UpdatePacker(options: options).withdraw(prefixes, into: &bytes)
        let updates = try Self.split(bytes, options: options)
        #expect(updates.flatMap(\.withdrawn) == prefixes)
        #expect(updates.allSatisfy { $0.nlri.isEmpty && $0.attributes == PathAttributes() })
    }

    @Test func ipv6AnnouncementsAndWithdrawalsUseMPAttributes() throws {
        let options = BGPCodecOptions()
        let prefixes = (0..<2000).map { IPv6NLRI(address: UInt128(0x2001_0DB8) << 96 | UInt128($0) << 64, length: 64)! }
        var attributes = Self.attributes
        let hop = NextHop.ipv6(global: IPv6Address("2001:db8::2")!, linkLocal: IPv6Address("fe80::2"))
        attributes.nextHop = hop
        var bytes: [UInt8] = []
        let packer = UpdatePacker(options: options)
        packer.announce(prefixes, attributes: attributes, into: &bytes)
        let announced = try Self.split(bytes, options: options)
        #expect(announced.count == 5)
        #expect(announced.flatMap { update -> [IPv6NLRI] in
            guard case .ipv6(let list)? = update.mpReach?.prefixes else { return [] }
            return list
        } == prefixes)
        #expect(announced.allSatisfy { $0.mpReach?.nextHop == hop && $0.attributes.nextHop == nil })
        bytes = []
        packer.withdraw(prefixes, into: &bytes)
        let withdrawn = try Self.split(bytes, options: options)
        #expect(withdrawn.flatMap { update -> [IPv6NLRI] in
            guard case .ipv6(let list)? = update.mpUnreach?.prefixes else { return [] }
            return list
        } == prefixes)
    }

    @Test func emptyInputWritesNothing() {
        var bytes: [UInt8] = []
        #expect(UpdatePacker(options: BGPCodecOptions()).announce([IPv4NLRI](), attributes: Self.attributes, into: &bytes) == 0)
        #expect(bytes.isEmpty)
    }
}
