import Foundation
import POSIX

/// The CLI's side of the control socket: one request, one response, blocking.
public enum ControlClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func send(_ request: ControlRequest, to path: String) throws -> ControlResponse {
        let response = try exchange(try JSONEncoder().encode(request), with: path,
                                    server: "the speaker", hint: "is `terway-edge bgp serve` running?")
        guard let decoded = try? JSONDecoder().decode(ControlResponse.self, from: response) else {
            throw Failure(description: "unreadable answer from \(path)")
        }
        if let error = decoded.error { throw Failure(description: error) }
        return decoded
    }

    /// One JSON line to the Unix socket at `path`, the whole answer back (the agent's
    /// control socket speaks the same framing). `server` and `hint` say who should be listening.
    public static func exchange(_ request: Data, with path: String, server: String, hint: String) throws -> Data {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
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
            throw Failure(description: "write to \(path) failed: \(String(cString: strerror(error.errno)))")
        }
        // The server closes the connection after its one answer.
        return Data((try? readUntilEnd(fd, limit: .max, chunk: 65536)) ?? [])
    }
}
