import Foundation

/// A plain TCP client bound to a chosen loopback source, to play a stranger or a peer.
struct RawTCPClient {
    enum Outcome: Equatable {
        /// The speaker closed the connection after sending this many bytes.
        case closed(bytes: Int)
        /// Still open when the timeout ran out, with this many bytes received.
        case open(bytes: Int)
    }

    let fd: Int32

    init(from source: String, to destination: String, port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, destination, &remote.sin_addr)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, connected == 0 else {
            close(fd)
            throw CocoaError(.fileReadUnknown, userInfo: [NSDebugDescriptionErrorKey: "connect failed: errno \(errno)"])
        }
    }

    /// Reads until the other side closes or `timeout` seconds pass; closes the socket.
    func readUntilClosed(timeout: Double) -> Outcome {
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 || (n < 0 && errno == ECONNRESET) { return .closed(bytes: total) }
            if n < 0 { break }
            total += n
        }
        return .open(bytes: total)
    }
}
