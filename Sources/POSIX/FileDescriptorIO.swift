import Glibc

/// Reads `fd` to its end, or until more than `limit` bytes were read (callers refuse
/// what is too large), retrying EINTR.
public func readUntilEnd(_ fd: Int32, limit: Int, chunk: Int = 4096) throws(SystemCallError) -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while bytes.count <= limit {
        let n = retryingEINTR { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
        guard n >= 0 else { throw SystemCallError(errno: errno) }
        if n == 0 { break }
        bytes += buffer[..<n]
    }
    return bytes
}

/// Writes all of `bytes`, continuing after short writes and EINTR.
public func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>) throws(SystemCallError) {
    var rest = Array(bytes)[...]
    while !rest.isEmpty {
        let n = retryingEINTR { rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
        // A write of zero bytes for a non-empty buffer does not happen for files, pipes or
        // sockets; treat it as an I/O error rather than spin.
        guard n > 0 else { throw SystemCallError(errno: n == 0 ? EIO : errno) }
        rest = rest.dropFirst(n)
    }
}
