/// One server a store talks to: `http://host:port`, or with `tls` `https://host:port`.
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let tls: Bool

    public init(host: String, port: Int, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Parses `http://host:port`, `https://host:port` or `host:port` (IPv6 hosts in
    /// brackets); without a scheme `tls` decides.
    public init(parsing text: String, defaultPort: Int, tls defaultTLS: Bool = false) throws(HTTPClientError) {
        var rest = Substring(text)
        var tls = defaultTLS
        if rest.hasPrefix("https://") {
            rest = rest.dropFirst(8)
            tls = true
        } else if rest.hasPrefix("http://") {
            rest = rest.dropFirst(7)
            tls = false
        }
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
        self.init(host: String(host), port: port, tls: tls)
    }

    public var description: String {
        "\(tls ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// The name TLS checks the certificate against: nil for an IP address, whose
    /// certificate is checked against its IP SANs instead.
    public var serverName: String? {
        host.contains(":") || host.split(separator: ".").allSatisfy({ UInt8($0) != nil }) ? nil : host
    }
}
