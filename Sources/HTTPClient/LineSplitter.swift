/// Cuts a byte stream into newline-terminated lines, as etcd's gateway and the Kubernetes
/// API send their watch streams. A line longer than `limit` is an error, not unbounded memory.
public struct LineSplitter: Sendable {
    public struct LineTooLong: Error, Equatable, CustomStringConvertible {
        public let limit: Int
        public var description: String { "a stream line is longer than \(limit) bytes" }
    }

    private var buffer: [UInt8] = []
    private var scanned = 0
    public let limit: Int

    public init(limit: Int = 4 << 20) {
        self.limit = limit
    }

    /// Adds bytes and returns every line now complete, without its `\n` (and `\r`).
    /// Empty lines are dropped: servers send them as keep-alives.
    public mutating func append(_ bytes: some Sequence<UInt8>) throws(LineTooLong) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        var start = 0
        var index = scanned
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") {
                var end = index
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if end > start { lines.append(Array(buffer[start..<end])) }
                start = index + 1
            }
            index += 1
        }
        buffer.removeFirst(start)
        scanned = buffer.count
        guard buffer.count <= limit else { throw LineTooLong(limit: limit) }
        return lines
    }

    /// What is left when the stream ends: a final line without a newline, if any.
    public var remainder: [UInt8]? { buffer.isEmpty ? nil : buffer }
}
