import BGPCore
import NetworkCore

/// The validated configuration of one speaker (`terway-edge bgp serve --config`).
/// Built only by `BGPConfig(yaml:)`, which names the offending field when it refuses.
public struct BGPConfig: Sendable, Equatable {
    public var localAS: UInt32
    public var routerID: IPv4Address
    public var listen: SocketEndpoint?
    public var controlSocket: String
    public var gracefulRestart: GracefulRestartConfig?
    public var peers: [PeerConfig]
    public var originate: [OriginateConfig]
    /// A file of further originated prefixes, one per line (see `OriginateFile`): a full
    /// table is read far faster from it than from a YAML list.
    public var originateFile: String?

    public init(localAS: UInt32, routerID: IPv4Address, listen: SocketEndpoint?, controlSocket: String,
                gracefulRestart: GracefulRestartConfig? = nil, peers: [PeerConfig], originate: [OriginateConfig]) {
        self.localAS = localAS
        self.routerID = routerID
        self.listen = listen
        self.controlSocket = controlSocket
        self.gracefulRestart = gracefulRestart
        self.peers = peers
        self.originate = originate
    }

    /// The configured peer with this address, if any: only those may connect.
    public func peer(at address: IPAddress) -> PeerConfig? {
        peers.first { $0.address == address }
    }
}

/// An address and TCP port to listen on or connect to.
public struct SocketEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var port: Int

    public init(address: IPAddress, port: Int) {
        self.address = address
        self.port = port
    }

    /// `10.0.0.1:179`, `[fd00::1]:179`, or an address alone (port 179).
    public init?(_ text: String) {
        var host = Substring(text), port = 179
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()) else { return nil }
                port = p
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            guard let p = Int(text[text.index(after: colon)...]) else { return nil }
            port = p
        }
        guard let address = IPAddress(host), (1...65535).contains(port) else { return nil }
        self.init(address: address, port: port)
    }

    public var description: String {
        switch address {
        case .v4: "\(address):\(port)"
        case .v6: "[\(address)]:\(port)"
        }
    }
}

/// RFC 4724 graceful restart as we advertise it.
public struct GracefulRestartConfig: Sendable, Equatable {
    /// Seconds a peer should keep our routes while we restart (12 bits on the wire).
    public var restartTime: UInt16

    public init(restartTime: UInt16) { self.restartTime = restartTime }
}

/// One configured neighbor.
public struct PeerConfig: Sendable, Equatable {
    public var address: IPAddress
    public var port: Int
    public var remoteAS: UInt32
    /// Passive peers are only waited for; active ones are also connected to.
    public var passive: Bool
    /// Proposed hold time in seconds: 0 (no keepalives) or 3...65535.
    public var holdTime: UInt16
    public var connectRetryTime: UInt16
    /// RFC 2385 TCP-MD5 key.
    public var password: String?
    /// More accepted prefixes than this ends the session with Cease 6/1.
    public var maxPrefixes: Int?
    /// RFC 5082 GTSM: the peer is at most this many hops away.
    public var ttlSecurity: Int?
    public var families: Set<IPFamily>
    /// Re-advertise routes learned from other peers to this one.
    public var exportLearned: Bool
    /// Source address of our connections; defaults to the listen address when it is specific.
    public var localAddress: IPAddress?
    /// Next hop we announce for routes of the family the session does not run over (an IPv6
    /// address for IPv6 routes on an IPv4 session). Default: a global address of that
    /// family on the session's interface, else the IPv4-mapped address.
    public var otherFamilyNextHop: IPAddress?

    public init(address: IPAddress, port: Int = 179, remoteAS: UInt32, passive: Bool = false,
                holdTime: UInt16 = 90, connectRetryTime: UInt16 = 120, password: String? = nil,
                maxPrefixes: Int? = nil, ttlSecurity: Int? = nil, families: Set<IPFamily> = [.v4, .v6],
                exportLearned: Bool = false, localAddress: IPAddress? = nil, otherFamilyNextHop: IPAddress? = nil) {
        self.address = address
        self.port = port
        self.remoteAS = remoteAS
        self.passive = passive
        self.holdTime = holdTime
        self.connectRetryTime = connectRetryTime
        self.password = password
        self.maxPrefixes = maxPrefixes
        self.ttlSecurity = ttlSecurity
        self.families = families
        self.exportLearned = exportLearned
        self.localAddress = localAddress
        self.otherFamilyNextHop = otherFamilyNextHop
    }
}

/// A prefix we originate, with the RFC 1997 communities attached to it.
public struct OriginateConfig: Sendable, Equatable {
    public var prefix: IPPrefix
    public var communities: [Community]

    public init(prefix: IPPrefix, communities: [Community] = []) {
        self.prefix = prefix
        self.communities = communities
    }
}
