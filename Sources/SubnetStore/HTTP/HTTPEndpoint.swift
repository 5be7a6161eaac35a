/// One server a store talks to: `http://host:port`. Only plain HTTP: TLS is not implemented
/// (see README), so a URL with `https` is refused rather than silently sent in the clear.
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `http://host:port` or `host:port` (IPv6 hosts in brackets).
    public init(parsing text: String, defaultPort: Int) throws(HTTPClientError) {
        var rest = Substring(text)
        if rest.hasPrefix("https://") {
            throw .unsupported("\(text): TLS is not implemented; use http:// (e.g. through a local proxy)")
        }
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else { throw .badEndpoint(text) }
            rest = rest[..<slash]
        }
        var host: Substring, portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .badEndpoint(text) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.isEmpty { portText = nil } else {
                guard after.hasPrefix(":") else { throw .badEndpoint(text) }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
            portText = nil
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "@" }) else { throw .badEndpoint(text) }
        var port = defaultPort
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else { throw .badEndpoint(text) }
            port = parsed
        }
        self.init(host: String(host), port: port)
    }

    public var description: String { host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)" }
}
