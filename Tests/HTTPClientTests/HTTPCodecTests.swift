@testable import HTTPClient
import Testing

@Suite struct HTTPCodecTests {
    @Test func endpointsParse() throws {
        #expect(try HTTPEndpoint(parsing: "http://127.0.0.1:2379", defaultPort: 1) == HTTPEndpoint(host: "127.0.0.1", port: 2379))
        #expect(try HTTPEndpoint(parsing: "etcd-0.local", defaultPort: 2379) == HTTPEndpoint(host: "etcd-0.local", port: 2379))
        #expect(try HTTPEndpoint(parsing: "[fd00::1]:2379", defaultPort: 1) == HTTPEndpoint(host: "fd00::1", port: 2379))
        #expect(HTTPEndpoint(host: "fd00::1", port: 2379).description == "http://[fd00::1]:2379")
        for bad in ["", "http://", "h:0", "h:99999", "h:x", "[fd00::1", "a@b:1", "h:1/path"] {
            #expect(throws: HTTPClientError.self, "\(bad)") { try HTTPEndpoint(parsing: bad, defaultPort: 1) }
        }
        #expect(try HTTPEndpoint(parsing: "https://h:1", defaultPort: 1) == HTTPEndpoint(host: "h", port: 1, tls: true))
        #expect(try HTTPEndpoint(parsing: "http://h:1", defaultPort: 1, tls: true) == HTTPEndpoint(host: "h", port: 1))
        #expect(try HTTPEndpoint(parsing: "h", defaultPort: 6443, tls: true).description == "https://h:6443")
        #expect(HTTPEndpoint(host: "10.96.0.1", port: 443).serverName == nil && HTTPEndpoint(host: "api.local", port: 443).serverName == "api.local")
    }

    @Test func linesSplitAcrossChunks() throws {
        var splitter = LineSplitter(limit: 64)
        #expect(try splitter.append(Array("{\"a\"".utf8)).isEmpty)
        #expect(try splitter.append(Array(":1}\n\n{\"b\":2}\r\n{\"c\"".utf8)) == [Array("{\"a\":1}".utf8), Array("{\"b\":2}".utf8)])
        #expect(splitter.remainder == Array("{\"c\"".utf8))
        #expect(throws: LineSplitter.LineTooLong(limit: 64)) { try splitter.append([UInt8](repeating: 0x41, count: 80)) }
    }
}
