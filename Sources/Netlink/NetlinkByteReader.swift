/// Reads native-endian integers from a byte slice, throwing instead of trapping when the
/// kernel's reply (or a corrupted buffer) is shorter than its headers claim.
struct NetlinkByteReader {
    private let bytes: ArraySlice<UInt8>
    private(set) var position: Int
    let context: String

    init(_ bytes: ArraySlice<UInt8>, context: String) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.context = context
    }

    var remaining: Int { bytes.endIndex - position }

    mutating func readBytes(_ count: Int) throws(NetlinkDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw NetlinkDecodingError("\(context): needs \(count) bytes, \(remaining) left")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func readUInt8() throws(NetlinkDecodingError) -> UInt8 { try readBytes(1).first! }

    mutating func readUInt16() throws(NetlinkDecodingError) -> UInt16 {
        let raw = try readBytes(2)
        return raw.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }
    }

    mutating func readUInt32() throws(NetlinkDecodingError) -> UInt32 {
        let raw = try readBytes(4)
        return raw.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    }

    mutating func readInt32() throws(NetlinkDecodingError) -> Int32 { Int32(bitPattern: try readUInt32()) }

    /// Skips the padding after an item of `length` bytes (to 4-byte alignment); the last
    /// item of a buffer may end without it.
    mutating func skipPadding(after length: Int) {
        position += min((4 - length % 4) % 4, remaining)
    }

    /// Everything not read yet.
    mutating func readRest() -> ArraySlice<UInt8> {
        defer { position = bytes.endIndex }
        return bytes[position...]
    }
}

/// A reply that does not parse: lengths past the buffer, truncated headers, bad attribute sizes.
public struct NetlinkDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
