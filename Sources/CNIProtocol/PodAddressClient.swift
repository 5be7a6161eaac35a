import CNI
import Glibc
import POSIX

/// The plugin's end of the address socket: one connection per request (see
/// `PodAddressSocket`). Glibc sockets only, so the plugin stays free of NIO and Foundation.
public struct PodAddressClient: Sendable {
    public var path: String
    /// How long one answer may take: an allocate from a cold pool waits for the cloud.
    public var timeoutSeconds: Int

    public init(path: String = PodAddressSocket.defaultPath, timeoutSeconds: Int = 60) {
        self.path = path
        self.timeoutSeconds = timeoutSeconds
    }

    /// Sends `request` and reads its answer. An agent that cannot be reached is code 11 (try
    /// again later: it is starting or restarting); an answer that is not the contract's is
    /// code 6. The agent's own errors come back as `.failed`, code and message as it sent them.
    public func send(_ request: PodAddressRequest) throws(CNIError) -> PodAddressAnswer {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket", errno) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try connect(fd)
        do {
            try writeAll(fd, Array(request.json.serialized().utf8) + [UInt8(ascii: "\n")])
        } catch {
            throw failure("write to", error.errno)
        }
        let bytes: [UInt8]
        do {
            bytes = try readUntilEnd(fd, limit: PodAddressSocket.maximumMessageBytes, chunk: 16 * 1024)
        } catch {
            throw error.errno == EAGAIN || error.errno == EWOULDBLOCK
                ? CNIError(.tryAgainLater, "the node agent did not answer within \(timeoutSeconds) s on \(path)")
                : failure("read from", error.errno)
        }
        guard !bytes.isEmpty else {
            throw CNIError(.tryAgainLater, "the node agent closed \(path) without an answer", details: "it may be restarting")
        }
        return try PodAddressAnswer(bytes: bytes, answering: request)
    }

    /// Like `send`, but an error answer is thrown.
    public func call(_ request: PodAddressRequest) throws(CNIError) -> PodAddressAnswer {
        let answer = try send(request)
        if case .failed(let error) = answer { throw error }
        return answer
    }

    private func connect(_ fd: Int32) throws(CNIError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw CNIError(.invalidNetworkConfig, "socket path \(path) is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                retryingEINTR { Glibc.connect(fd, raw, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        guard result == 0 else { throw failure("connect to", errno) }
    }

    private func failure(_ call: String, _ code: Int32) -> CNIError {
        let text = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return CNIError(.tryAgainLater, "the node agent's address socket \(path) is not reachable (\(call): \(text))",
                        details: "terway-edged (role cloud) serves it; is it running?")
    }
}
