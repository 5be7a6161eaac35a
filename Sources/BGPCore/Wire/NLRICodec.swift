/// The prefix encoding shared by the NLRI, Withdrawn Routes and MP fields (RFC 4271 §4.3):
/// a length in bits, then just enough octets to hold it. Host bits on the wire are cleared.
enum NLRICodec {
    /// Appends the prefixes in `bytes`; false when a length is out of range or a prefix is cut.
    static func decode<Prefix: WirePrefix>(_ bytes: UnsafeRawBufferPointer, into out: inout [Prefix]) -> Bool {
        // A full-size UPDATE of /24s: four octets each.
        out.reserveCapacity(out.count + bytes.count / 4 + 1)
        var i = 0
        let count = bytes.count
        while i < count {
            let length = Int(bytes[i])
            let octets = (length + 7) >> 3
            guard length <= Prefix.maxLength, i + 1 + octets <= count else { return false }
            out.append(Prefix(length: length, octets: UnsafeRawBufferPointer(rebasing: bytes[(i + 1)..<(i + 1 + octets)])))
            i += 1 + octets
        }
        return true
    }

    static func encode(_ list: NLRIList, into out: inout [UInt8]) {
        switch list {
        case .ipv4(let prefixes): for p in prefixes { p.encode(into: &out) }
        case .ipv6(let prefixes): for p in prefixes { p.encode(into: &out) }
        case .other(let bytes): out += bytes
        }
    }
}

/// A prefix type the NLRI encoding carries, so decoding and packing are written once for
/// both families.
protocol WirePrefix {
    static var maxLength: Int { get }
    /// From a checked length (at most `maxLength`) and its leading address octets.
    init(length: Int, octets: UnsafeRawBufferPointer)
    var bitLength: Int { get }
    /// Address octet `index`, counted from the most significant.
    func octet(_ index: Int) -> UInt8
}

extension WirePrefix {
    var encodedSize: Int { 1 + (bitLength + 7) >> 3 }

    func encode(into out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: bitLength))
        for index in 0..<((bitLength + 7) >> 3) { out.append(octet(index)) }
    }
}

extension IPv4NLRI: WirePrefix {
    static var maxLength: Int { 32 }
    var bitLength: Int { length }

    init(length: Int, octets: UnsafeRawBufferPointer) {
        var address: UInt32 = 0
        for k in 0..<octets.count { address |= UInt32(octets[k]) << UInt32(24 - 8 * k) }
        let mask: UInt32 = length == 0 ? 0 : ~0 << UInt32(32 - length)
        self.init(key: UInt64(address & mask) << 8 | UInt64(length))
    }

    func octet(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: address >> UInt32(24 - 8 * index)) }
}

extension IPv6NLRI: WirePrefix {
    static var maxLength: Int { 128 }
    var bitLength: Int { Int(length) }

    init(length: Int, octets: UnsafeRawBufferPointer) {
        var address: UInt128 = 0
        for k in 0..<octets.count { address |= UInt128(octets[k]) << UInt128(120 - 8 * k) }
        let mask: UInt128 = length == 0 ? 0 : ~0 << UInt128(128 - length)
        self.init(unchecked: address & mask, length: UInt8(length))
    }

    func octet(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: address >> UInt128(120 - 8 * index)) }
}
