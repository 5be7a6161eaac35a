#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The client end of our line sockets (the agent's control socket, the speaker's, the cloud
/// role's address socket): connect, write one request line, read the answer to EOF.
public enum UnixStreamSocket {
    /// Why an exchange failed: the call and its errno, or a path that does not fit `sun_path`.
    public enum Failure: Error, Hashable, Sendable {
        case pathTooLong(capacity: Int)
        case call(String, errno: Int32)

        public var errno: Int32? {
            if case .call(_, let errno) = self { return errno }
            return nil
        }
    }

    /// A connected socket (close-on-exec), with send and receive timeouts when given.
    public static func connect(path: String, timeoutSeconds: Int? = nil) throws(Failure) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw .pathTooLong(capacity: capacity - 1) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .call("socket", errno: errno) }
        if let timeoutSeconds {
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                retryingEINTR { Glibc.connect(fd, raw, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        guard result == 0 else {
            let failure = Failure.call("connect to", errno: errno)
            close(fd)
            throw failure
        }
        return fd
    }

    /// One request line (a newline is added) and the whole answer, up to `limit` bytes.
    public static func exchange(path: String, request: some Collection<UInt8>, limit: Int,
                                timeoutSeconds: Int? = nil) throws(Failure) -> [UInt8] {
        let fd = try connect(path: path, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        do {
            try writeAll(fd, Array(request) + [UInt8(ascii: "\n")])
        } catch {
            throw .call("write to", errno: error.errno)
        }
        do {
            return try readUntilEnd(fd, limit: limit, chunk: 16 * 1024)
        } catch {
            throw .call("read from", errno: error.errno)
        }
    }
}
