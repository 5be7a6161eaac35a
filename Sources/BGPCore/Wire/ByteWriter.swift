/// Big-endian appends to a byte array, the encoders' only output primitive.
extension Array where Element == UInt8 {
    mutating func appendU16(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendU32(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendU128(_ value: UInt128) {
        for shift in stride(from: 120, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> UInt128(shift)))
        }
    }

    /// Writes a big-endian UInt16 over two bytes already appended, e.g. a length placeholder.
    mutating func patchU16(_ value: UInt16, at index: Int) {
        self[index] = UInt8(truncatingIfNeeded: value >> 8)
        self[index + 1] = UInt8(truncatingIfNeeded: value)
    }
}
