/// A bounds-checked cursor over borrowed bytes. Every read returns nil past the end instead
/// of trapping, so decoders turn short input into a NOTIFICATION, never a crash.
struct BGPByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset >= bytes.count }

    mutating func u8() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func u128() -> UInt128? {
        guard remaining >= 16 else { return nil }
        var value: UInt128 = 0
        for i in 0..<16 { value = value << 8 | UInt128(bytes[offset + i]) }
        offset += 16
        return value
    }

    /// The next `count` bytes as a sub-buffer (no copy).
    mutating func slice(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    mutating func rest() -> UnsafeRawBufferPointer {
        slice(remaining) ?? UnsafeRawBufferPointer(start: nil, count: 0)
    }
}
