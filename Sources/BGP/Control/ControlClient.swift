import Foundation
import POSIX

/// The CLI's side of the control socket: one request, its response pages merged, blocking.
public enum ControlClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// How long a silent server is waited for, per read or write: a speaker that hangs
    /// must not hang the CLI (or a test) with it.
    public static let defaultTimeout: Duration = .seconds(30)

    public static func send(_ request: ControlRequest, to path: String,
                            timeout: Duration = defaultTimeout) throws -> ControlResponse {
        let response = try exchange(try JSONEncoder().encode(request), with: path,
                                    server: "the speaker", hint: "is `terway-edge bgp serve` running?", timeout: timeout)
        // The speaker writes its pages, one JSON line each.
        var merged = ControlResponse()
        for line in response.split(separator: UInt8(ascii: "\n")) {
            guard let page = try? JSONDecoder().decode(ControlResponse.self, from: Data(line)) else {
                throw Failure(description: "unreadable answer from \(path)")
            }
            merged.merge(page)
        }
        if let error = merged.error { throw Failure(description: error) }
        return merged
    }

    /// One JSON line to the Unix socket at `path`, the whole answer back (the agent's
    /// control socket speaks the same framing). `server` and `hint` say who should be listening.
    /// A server silent for `timeout` (on any one read or write) is an error.
    public static func exchange(_ request: Data, with path: String, server: String, hint: String,
                                timeout: Duration = defaultTimeout) throws -> Data {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout.components.seconds),
                            tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            _ = setsockopt(fd, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Failure(description: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let connected = retryingEINTR {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
        guard connected == 0 else {
            throw Failure(description: "cannot reach \(server) at \(path): \(String(cString: strerror(errno))) (\(hint))")
        }
        var line = request
        line.append(UInt8(ascii: "\n"))
        do {
            try writeAll(fd, line)
        } catch {
            throw Failure(description: "write to \(path) failed: \(describe(error.errno, timeout))")
        }
        // The server writes its answer (the speaker: one JSON line per page) and closes.
        do {
            return Data(try readUntilEnd(fd, limit: .max, chunk: 65536))
        } catch {
            throw Failure(description: "no answer from \(server) at \(path): \(describe(error.errno, timeout))")
        }
    }

    private static func describe(_ errno: Int32, _ timeout: Duration) -> String {
        errno == EAGAIN || errno == EWOULDBLOCK ? "nothing for \(timeout)" : String(cString: strerror(errno))
    }
}
