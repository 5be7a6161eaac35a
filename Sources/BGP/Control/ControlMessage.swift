/// The control socket's protocol: one JSON request line in, one JSON response line out.
public struct ControlRequest: Codable, Sendable, Equatable {
    /// `peers` or `routes`.
    public var command: String
    /// For `routes`: only routes inside (or equal to) this prefix.
    public var prefix: String?

    public init(command: String, prefix: String? = nil) {
        self.command = command
        self.prefix = prefix
    }
}

public struct ControlResponse: Codable, Sendable, Equatable {
    public var peers: [PeerStatus]?
    public var routes: [RouteStatus]?
    public var error: String?

    public init(peers: [PeerStatus]? = nil, routes: [RouteStatus]? = nil, error: String? = nil) {
        self.peers = peers
        self.routes = routes
        self.error = error
    }
}
