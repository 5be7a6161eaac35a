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
    /// A server silent for `timeout` (on any one read or write; whole seconds, at least one)
    /// is an error.
    public static func exchange(_ request: Data, with path: String, server: String, hint: String,
                                timeout: Duration = defaultTimeout) throws -> Data {
        let seconds = max(1, Int(timeout.components.seconds) + (timeout.components.attoseconds > 0 ? 1 : 0))
        do {
            // The server writes its answer (the speaker: one JSON line per page) and closes.
            return Data(try UnixStreamSocket.exchange(path: path, request: request, limit: .max, timeoutSeconds: seconds))
        } catch {
            switch error {
            case .pathTooLong: throw Failure(description: "socket path too long: \(path)")
            case .call("connect to", let code):
                throw Failure(description: "cannot reach \(server) at \(path): \(String(cString: strerror(code))) (\(hint))")
            case .call(let call, let code) where code == EAGAIN || code == EWOULDBLOCK:
                throw Failure(description: "\(call) \(path): nothing from \(server) for \(seconds) s")
            case .call(let call, let code):
                throw Failure(description: "\(call) \(path) failed: \(String(cString: strerror(code)))")
            }
        }
    }
}
