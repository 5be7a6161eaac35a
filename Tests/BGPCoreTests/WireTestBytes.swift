import BGPCore

/// Hand-built wire bytes for the codec tests, following the RFC layouts field by field.
enum WireBytes {
    static let marker = [UInt8](repeating: 0xFF, count: 16)

    static func message(type: UInt8, body: [UInt8]) -> [UInt8] {
        let length = 19 + body.count
        return marker + [UInt8(length >> 8), UInt8(length & 0xFF), type] + body
    }

    static func update(withdrawn: [UInt8] = [], attributes: [UInt8] = [], nlri: [UInt8] = []) -> [UInt8] {
        message(type: 2, body: u16(withdrawn.count) + withdrawn + u16(attributes.count) + attributes + nlri)
    }

    static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func attribute(_ flags: UInt8, _ type: UInt8, _ value: [UInt8]) -> [UInt8] {
        [flags, type, UInt8(value.count)] + value
    }

    static let origin = attribute(0x40, 1, [0])
    static let asPath65001 = attribute(0x40, 2, [2, 1] + u32(65001))
    static let nextHop = attribute(0x40, 3, [192, 0, 2, 1])
    /// ORIGIN, AS_PATH, NEXT_HOP: the well-known attributes an IPv4 announcement needs.
    static let mandatory = origin + asPath65001 + nextHop
    static let nlri10_0_1 = [24, 10, 0, 1] as [UInt8]

    static func open(version: UInt8 = 4, myAS: UInt16 = 65001, hold: UInt16 = 90,
                     id: [UInt8] = [10, 0, 0, 1], parameters: [UInt8] = []) -> [UInt8] {
        message(type: 1, body: [version] + u16(Int(myAS)) + u16(Int(hold)) + id + [UInt8(parameters.count)] + parameters)
    }

    static func decode(_ bytes: [UInt8], _ options: BGPCodecOptions = BGPCodecOptions()) throws(BGPMessageError) -> BGPMessage {
        try BGPMessage.decode(bytes, options: options)
    }

    static func decodeUpdate(_ bytes: [UInt8], _ options: BGPCodecOptions = BGPCodecOptions()) throws -> UpdateMessage {
        guard case .update(let update) = try BGPMessage.decode(bytes, options: options) else {
            throw WireTestError.notAnUpdate
        }
        return update
    }
}

enum WireTestError: Error { case notAnUpdate }
