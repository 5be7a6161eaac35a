import NetworkCore

/// One rtattr TLV (`struct rtattr` + value, padded to 4 bytes). Nested attributes are
/// kept as their encoded value and opened with `nested()`.
public struct RouteAttribute: Hashable, Sendable {
    /// The type as sent, including the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits.
    public let rawType: UInt16
    public let value: [UInt8]

    static let headerSize = 4
    static let typeMask: UInt16 = 0x3FFF
    static let nestedFlag: UInt16 = 0x8000

    /// The attribute type without the flag bits.
    public var type: UInt16 { rawType & Self.typeMask }

    public init(type: UInt16, value: [UInt8]) {
        self.rawType = type
        self.value = value
    }

    public init(type: UInt16, uint32: UInt32) { self.init(type: type, value: withUnsafeBytes(of: uint32) { Array($0) }) }
    public init(type: UInt16, int32: Int32) { self.init(type: type, uint32: UInt32(bitPattern: int32)) }
    public init(type: UInt16, uint8: UInt8) { self.init(type: type, value: [uint8]) }
    /// A NUL-terminated string, as the kernel expects names.
    public init(type: UInt16, string: String) { self.init(type: type, value: Array(string.utf8) + [0]) }
    public init(type: UInt16, address: IPAddress) { self.init(type: type, value: address.bytes) }
    /// A nested attribute, flagged NLA_F_NESTED (the bridge port code insists on the flag).
    public init(type: UInt16, nested: [RouteAttribute]) {
        self.init(type: type | Self.nestedFlag, value: RouteAttribute.encode(nested))
    }

    /// Encodes attributes back to back, each padded to 4 bytes.
    public static func encode(_ attributes: [RouteAttribute]) -> [UInt8] {
        var writer = NetlinkByteWriter(capacity: attributes.reduce(0) { $0 + 8 + $1.value.count })
        attributes.forEach { $0.encode(into: &writer) }
        return writer.bytes
    }

    func encode(into writer: inout NetlinkByteWriter) {
        writer.append(UInt16(Self.headerSize + value.count))
        writer.append(rawType)
        writer.append(contentsOf: value)
        writer.padToAlignment()
    }

    /// Decodes a run of attributes; throws when a length runs past the buffer or is below the header.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(NetlinkDecodingError) -> [RouteAttribute] {
        var reader = NetlinkByteReader(bytes, context: "rtattr")
        var attributes: [RouteAttribute] = []
        while reader.remaining >= headerSize {
            let length = Int(try reader.readUInt16())
            let type = try reader.readUInt16()
            guard length >= headerSize else { throw NetlinkDecodingError("rtattr type \(type): length \(length) below header") }
            let value = try reader.readBytes(length - headerSize)
            attributes.append(RouteAttribute(type: type, value: Array(value)))
            reader.skipPadding(after: length)
        }
        guard reader.remaining == 0 else { throw NetlinkDecodingError("rtattr: \(reader.remaining) trailing bytes") }
        return attributes
    }

    public func uint32() throws(NetlinkDecodingError) -> UInt32 {
        guard value.count == 4 else { throw sizeError("4") }
        return value.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    }

    public func int32() throws(NetlinkDecodingError) -> Int32 { Int32(bitPattern: try uint32()) }

    public func uint8() throws(NetlinkDecodingError) -> UInt8 {
        guard value.count == 1 else { throw sizeError("1") }
        return value[0]
    }

    /// A string up to its first NUL (or the whole value if the kernel left it out).
    public func string() -> String {
        String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
    }

    public func address() throws(NetlinkDecodingError) -> IPAddress {
        guard let address = IPAddress(bytes: value) else { throw sizeError("4 or 16") }
        return address
    }

    /// RTA_VIA's `struct rtvia`: an address family (host order) then the address, for a
    /// gateway of another family than the route (an IPv4 route via an IPv6 next hop, RFC 8950).
    public init(type: UInt16, via address: IPAddress) {
        let family = UInt16(address.family.addressFamily)
        self.init(type: type, value: withUnsafeBytes(of: family) { Array($0) } + address.bytes)
    }

    public func via() throws(NetlinkDecodingError) -> IPAddress {
        guard value.count >= 2, let address = IPAddress(bytes: Array(value.dropFirst(2))) else { throw sizeError("2 + 4 or 16") }
        return address
    }

    public func nested() throws(NetlinkDecodingError) -> [RouteAttribute] { try Self.decode(value[...]) }

    private func sizeError(_ expected: String) -> NetlinkDecodingError {
        NetlinkDecodingError("rtattr type \(type): \(value.count) bytes, expected \(expected)")
    }
}

extension [RouteAttribute] {
    /// The first attribute of `type` (the kernel sends each at most once per level).
    public func first(_ type: some BinaryInteger) -> RouteAttribute? {
        first { $0.type == UInt16(type) }
    }
}
