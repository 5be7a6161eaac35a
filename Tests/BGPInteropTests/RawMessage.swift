/// Hand-laid BGP messages for the malformed-message table: built octet by octet, not with
/// our encoder, so that they can be wrong in exactly one place.
enum RawMessage {
    static func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// Header with the real length, unless `length` overrides it; `marker` may be spoiled.
    static func message(type: UInt8, _ body: [UInt8], length: Int? = nil,
                        marker: [UInt8] = Array(repeating: 0xFF, count: 16)) -> [UInt8] {
        marker + u16(length ?? 19 + body.count) + [type] + body
    }

    /// Capabilities: IPv4 and IPv6 unicast (RFC 4760), 4-octet AS (RFC 6793).
    static func capabilities(asn: UInt32) -> [UInt8] {
        let caps: [UInt8] = [1, 4, 0, 1, 0, 1] + [1, 4, 0, 2, 0, 1]
            + [65, 4, UInt8(asn >> 24), UInt8(asn >> 16 & 0xFF), UInt8(asn >> 8 & 0xFF), UInt8(asn & 0xFF)]
        return [2, UInt8(caps.count)] + caps
    }

    static func openBody(version: UInt8 = 4, asn: UInt32 = 65001, holdTime: Int = 30,
                         identifier: [UInt8] = [10, 254, 0, 2], parameters: [UInt8]? = nil,
                         parametersLength: Int? = nil) -> [UInt8] {
        let params = parameters ?? capabilities(asn: asn)
        return [version] + u16(asn > 65535 ? 23456 : Int(asn)) + u16(holdTime) + identifier
            + [UInt8(parametersLength ?? params.count)] + params
    }

    static func open(_ body: [UInt8] = openBody()) -> [UInt8] { message(type: 1, body) }
    static let keepalive = message(type: 4, [])

    static func attribute(_ flags: UInt8, _ type: UInt8, _ value: [UInt8]) -> [UInt8] {
        flags & 0x10 != 0 ? [flags, type] + u16(value.count) + value : [flags, type, UInt8(value.count)] + value
    }

    static let origin = attribute(0x40, 1, [0])
    static let asPath = attribute(0x40, 2, [2, 1, 0, 0, 0xFD, 0xE9])   // AS_SEQUENCE [65001], 4-octet
    static let nextHop = attribute(0x40, 3, [10, 254, 0, 2])
    static let valid = origin + asPath + nextHop

    /// 10.9.`n`.0/24 in NLRI encoding.
    static func prefix(_ n: Int) -> [UInt8] { [24, 10, 9, UInt8(n)] }

    static func updateBody(withdrawn: [UInt8] = [], attributes: [UInt8], nlri: [UInt8],
                           withdrawnLength: Int? = nil, attributesLength: Int? = nil) -> [UInt8] {
        u16(withdrawnLength ?? withdrawn.count) + withdrawn + u16(attributesLength ?? attributes.count) + attributes + nlri
    }

    static func update(attributes: [UInt8], nlri: [UInt8]) -> [UInt8] {
        message(type: 2, updateBody(attributes: attributes, nlri: nlri))
    }
}
