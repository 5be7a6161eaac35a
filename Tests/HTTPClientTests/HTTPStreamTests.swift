import Foundation
@testable import HTTPClient
import NIOCore
import Testing

/// A watch-like response over a real loopback socket: the idle timeout fires while the
/// server is quiet, the stream stays usable, and the next line still arrives.
@Suite struct HTTPStreamTests {
    /// Accepts one connection, answers with a chunked head, then writes `lines` after `pauses`.
    final class QuietServer: @unchecked Sendable {
        let port: Int
        private let listener: Int32

        init(lines: [(pause: Double, text: String)]) throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.listener = listener
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
            }
            guard bound, listen(listener, 1) == 0 else { throw HTTPClientError.unsupported("cannot listen: errno \(errno)") }
            port = Int(UInt16(bigEndian: address.sin_port))
            Thread {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var request = [UInt8](repeating: 0, count: 4096)
                _ = read(client, &request, request.count)
                func send(_ text: String) { _ = text.withCString { Glibc.send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
                send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nDate: Tue, 01 Dec 2026 01:00:01 GMT\r\n\r\n")
                for (pause, text) in lines {
                    usleep(UInt32(pause * 1_000_000))
                    let line = text + "\n"
                    send(String(line.utf8.count, radix: 16) + "\r\n" + line + "\r\n")
                }
                send("0\r\n\r\n")
                usleep(200_000)
                close(client)
            }.start()
        }

        deinit { close(listener) }
    }

    @Test func idleTimeoutReportsAndTheStreamGoesOn() async throws {
        let server = try QuietServer(lines: [(0, "first"), (0.6, "second")])
        let stream = try await HTTPStream.open(HTTPRequest(method: "GET", path: "/watch"),
                                               to: HTTPEndpoint(host: "127.0.0.1", port: server.port), tls: nil,
                                               timeout: .seconds(2), idleTimeout: .milliseconds(200))
        // Read to the end, noting the idle timeouts before each line (a loaded machine may
        // delay the first line too; the 0.6 s pause before the second always exceeds 0.2 s).
        var lines: [String] = [], timeoutsBefore: [Int] = [], timeouts = 0
        while true {
            do {
                guard let line = try await stream.nextLine() else { break }
                lines.append(String(decoding: line, as: UTF8.self))
                timeoutsBefore.append(timeouts)
                timeouts = 0
            } catch let error as HTTPClientError {
                #expect(error == .timeout(endpoint: "http://127.0.0.1:\(server.port)", seconds: 0.2))
                timeouts += 1
            }
        }
        #expect(lines == ["first", "second"], "the stream stayed open through the idle timeouts")
        #expect(timeoutsBefore.last ?? 0 >= 1, "the quiet 0.6 s before the second line was reported")
        stream.close()
    }

    @Test func headersAreFoundCaseInsensitively() {
        let response = HTTPResponse(status: 200, body: [], headers: [("date", "x"), ("Content-Type", "a/b")])
        #expect(response.header("Date") == "x" && response.header("content-type") == "a/b" && response.header("Host") == nil)
    }
}
