/// The prefix encoding shared by the NLRI, Withdrawn Routes and MP fields (RFC 4271 §4.3):
/// a length in bits, then just enough octets to hold it. Host bits on the wire are cleared.
enum NLRICodec {
    /// Appends the prefixes in `bytes`; false when a length is out of range or a prefix is cut.
    static func decodeIPv4(_ bytes: UnsafeRawBufferPointer, into out: inout [IPv4NLRI]) -> Bool {
        out.reserveCapacity(out.count + bytes.count / 4 + 1)
        var i = 0
        let count = bytes.count
        while i < count {
            let length = Int(bytes[i])
            let octets = (length + 7) >> 3
            guard length <= 32, i + 1 + octets <= count else { return false }
            var address: UInt32 = 0
            for k in 0..<octets { address |= UInt32(bytes[i + 1 + k]) << UInt32(24 - 8 * k) }
            // Cannot fail: length <= 32 was checked.
            out.append(IPv4NLRI(address: address, length: length) ?? IPv4NLRI(key: 0))
            i += 1 + octets
        }
        return true
    }

    static func decodeIPv6(_ bytes: UnsafeRawBufferPointer, into out: inout [IPv6NLRI]) -> Bool {
        var i = 0
        let count = bytes.count
        while i < count {
            let length = Int(bytes[i])
            let octets = (length + 7) >> 3
            guard length <= 128, i + 1 + octets <= count else { return false }
            var address: UInt128 = 0
            for k in 0..<octets { address |= UInt128(bytes[i + 1 + k]) << UInt128(120 - 8 * k) }
            guard let prefix = IPv6NLRI(address: address, length: length) else { return false }
            out.append(prefix)
            i += 1 + octets
        }
        return true
    }

    static func encodedSize(_ prefix: IPv4NLRI) -> Int { 1 + (prefix.length + 7) >> 3 }
    static func encodedSize(_ prefix: IPv6NLRI) -> Int { 1 + (Int(prefix.length) + 7) >> 3 }

    static func encode(_ prefix: IPv4NLRI, into out: inout [UInt8]) {
        let length = prefix.length
        out.append(UInt8(length))
        let address = prefix.address
        for k in 0..<((length + 7) >> 3) { out.append(UInt8(truncatingIfNeeded: address >> UInt32(24 - 8 * k))) }
    }

    static func encode(_ prefix: IPv6NLRI, into out: inout [UInt8]) {
        out.append(prefix.length)
        for k in 0..<((Int(prefix.length) + 7) >> 3) {
            out.append(UInt8(truncatingIfNeeded: prefix.address >> UInt128(120 - 8 * k)))
        }
    }

    static func encode(_ list: NLRIList, into out: inout [UInt8]) {
        switch list {
        case .ipv4(let prefixes): for p in prefixes { encode(p, into: &out) }
        case .ipv6(let prefixes): for p in prefixes { encode(p, into: &out) }
        case .other(let bytes): out += bytes
        }
    }
}

/// A prefix that knows its NLRI encoding, so packing is written once for both families.
protocol WirePrefix {
    var encodedSize: Int { get }
    func encode(into out: inout [UInt8])
}

extension IPv4NLRI: WirePrefix {
    var encodedSize: Int { NLRICodec.encodedSize(self) }
    func encode(into out: inout [UInt8]) { NLRICodec.encode(self, into: &out) }
}

extension IPv6NLRI: WirePrefix {
    var encodedSize: Int { NLRICodec.encodedSize(self) }
    func encode(into out: inout [UInt8]) { NLRICodec.encode(self, into: &out) }
}
