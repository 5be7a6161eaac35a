/// The control socket's protocol: one JSON request line in; JSON response lines out, one
/// page each (a long route listing comes in pages of `ControlResponse.pageSize`), until the
/// server closes. A client merges the pages (`ControlClient`).
public struct ControlRequest: Codable, Sendable, Equatable {
    /// `peers`, `routes`, or `clear`, `disable`, `enable` with `peer`.
    public var command: String
    /// For `routes`: only routes inside (or equal to) this prefix.
    public var prefix: String?
    /// For `routes`: the announcements the import policy refused, with the reason, instead of the Loc-RIB.
    public var rejected: Bool?
    /// For `clear`, `disable`, `enable`: the peer's address.
    public var peer: String?

    public init(command: String, prefix: String? = nil, rejected: Bool? = nil, peer: String? = nil) {
        self.command = command
        self.prefix = prefix
        self.rejected = rejected
        self.peer = peer
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

    /// Routes per response line: a page stays a few MB, whatever the table's size.
    public static let pageSize = 4096

    /// Pages merged into one answer.
    mutating func merge(_ page: ControlResponse) {
        if let more = page.peers { peers = (peers ?? []) + more }
        if let more = page.routes { routes = (routes ?? []) + more }
        error = error ?? page.error
    }
}
