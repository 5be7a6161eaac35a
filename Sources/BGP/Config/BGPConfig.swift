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
    /// How iBGP and multihop eBGP peers' next hops are resolved (`nextHops`).
    public var nextHops = NextHopConfig()

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

/// Recursive next-hop resolution (RFC 4271 §9.1.2.1) for iBGP and multihop eBGP peers, as
/// BIRD's `gateway recursive` and FRR's nexthop tracking: the next hop must have a route in
/// the host's table `table` (static, kernel, an IGP's, a connected network; never a route
/// this speaker installed, `ownProtocol`), longest match; a route it does not resolve stays
/// in the Adj-RIB-In and is neither selected, installed nor exported. Single-hop eBGP peers'
/// next hops must be on a connected network instead.
public struct NextHopConfig: Sendable, Equatable {
    /// false: next hops are not resolved, every one is taken as reachable (the speaker runs
    /// without a kernel table to look at, as in tests).
    public var resolve: Bool
    /// The kernel table looked up; 254 is `main`.
    public var table: UInt32
    /// Whether the default route may resolve a next hop (FRR's `ip nht resolve-via-default`,
    /// off by default: a next hop reached only by the default route is most likely gone).
    public var resolveViaDefault: Bool
    /// How often the table is read again in full, besides the route notifications.
    public var resyncInterval: Duration
    /// The protocol number of the routes this speaker's learned routes go into the kernel
    /// under (the `kernel` settings): they never resolve a next hop. Not a YAML key: set
    /// from the kernel table's settings.
    public var ownProtocol: UInt8?

    public init(resolve: Bool = true, table: UInt32 = 254, resolveViaDefault: Bool = false,
                resyncInterval: Duration = .seconds(60), ownProtocol: UInt8? = nil) {
        self.resolve = resolve
        self.table = table
        self.resolveViaDefault = resolveViaDefault
        self.resyncInterval = resyncInterval
        self.ownProtocol = ownProtocol
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
    /// After our own restart, seconds to wait for End-of-RIB from every peer before routes
    /// are selected and sent anyway (RFC 4724 §4.1); at most the restart time, since the
    /// peers drop our routes then.
    public var selectionDeferral: UInt16

    public init(restartTime: UInt16, selectionDeferral: UInt16? = nil) {
        self.restartTime = restartTime
        self.selectionDeferral = min(selectionDeferral ?? restartTime, restartTime)
    }
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
    /// How many prefixes per family the peer may have in its Adj-RIB-In, and what crossing it does.
    public var prefixLimit: PrefixLimit
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
    /// Which learned routes enter the RIB (and so the kernel), and which of ours and of
    /// the RIB's go out. nil (no `import`/`export` key): nothing on an eBGP session
    /// (RFC 8212), everything on an iBGP one.
    public var importFilter: PrefixFilter?
    public var exportFilter: PrefixFilter?
    /// eBGP only: the TTL of our packets (the peer is this many hops away); nil: 1, a
    /// directly connected peer. Unused with `ttlSecurity`, which sends 255.
    public var multihop: Int?
    /// A peer proposing a hold time below this, or 0 (no keepalives), is refused with
    /// NOTIFICATION 2/6: the session must notice a dead peer. nil: RFC 4271 (0 or >= 3).
    public var minHoldTime: UInt16?
    /// RFC 9687: a peer that takes nothing we send for this long is dropped (NOTIFICATION 8).
    /// nil: max(8 minutes, twice the hold time).
    public var sendHoldTime: UInt32?

    public init(address: IPAddress, port: Int = 179, remoteAS: UInt32, passive: Bool = false,
                holdTime: UInt16 = 90, connectRetryTime: UInt16 = 120, password: String? = nil,
                prefixLimit: PrefixLimit = PrefixLimit(), ttlSecurity: Int? = nil, families: Set<IPFamily> = [.v4, .v6],
                exportLearned: Bool = false, localAddress: IPAddress? = nil, otherFamilyNextHop: IPAddress? = nil,
                importFilter: PrefixFilter? = nil, exportFilter: PrefixFilter? = nil, multihop: Int? = nil,
                minHoldTime: UInt16? = nil, sendHoldTime: UInt32? = nil) {
        self.address = address
        self.port = port
        self.remoteAS = remoteAS
        self.passive = passive
        self.holdTime = holdTime
        self.connectRetryTime = connectRetryTime
        self.password = password
        self.prefixLimit = prefixLimit
        self.ttlSecurity = ttlSecurity
        self.families = families
        self.exportLearned = exportLearned
        self.localAddress = localAddress
        self.otherFamilyNextHop = otherFamilyNextHop
        self.importFilter = importFilter
        self.exportFilter = exportFilter
        self.multihop = multihop
        self.minHoldTime = minHoldTime
        self.sendHoldTime = sendHoldTime
    }

    /// The TTL our packets carry, when not the system's: 1 to an eBGP peer unless multihop.
    public func sendTTL(localAS: UInt32) -> Int? {
        remoteAS == localAS ? nil : multihop ?? 1
    }

    /// An eBGP peer one hop away (no `multihop`, GTSM for at most one hop): its next hops
    /// must be on one of our connected networks to be used. The others' next hops are
    /// resolved through the host's table (`NextHopConfig`).
    public func isSingleHopExternal(localAS: UInt32) -> Bool {
        remoteAS != localAS && multihop == nil && (ttlSecurity ?? 1) <= 1
    }

    /// RFC 9687 §3: the send hold time when none is configured.
    public var effectiveSendHoldTime: UInt32 {
        sendHoldTime ?? max(480, 2 * UInt32(holdTime))
    }

    /// The filters in force: the configured ones, else RFC 8212's default (nil, reject
    /// everything) for eBGP and `[any]` for iBGP.
    public func effectiveImport(localAS: UInt32) -> PrefixFilter? {
        importFilter ?? (remoteAS == localAS ? .acceptAll : nil)
    }

    public func effectiveExport(localAS: UInt32) -> PrefixFilter? {
        exportFilter ?? (remoteAS == localAS ? .acceptAll : nil)
    }
}

/// A peer's prefix limit per family (`maxPrefixes`): memory stays bounded whatever a peer
/// sends. Crossing it ends the session with Cease 6/1 (`stop`, kept down; `restart`, back
/// after `restartAfter` seconds), or, with `warn`, keeps the session and refuses the
/// prefixes beyond the limit (they are neither installed nor exported).
public struct PrefixLimit: Sendable, Equatable {
    public enum Action: String, Sendable { case stop, restart, warn }

    public var ipv4: Int
    public var ipv6: Int
    public var action: Action
    public var restartAfter: UInt32

    /// The defaults hold a full Internet table twice over; an edge node learns far less.
    public static let defaultIPv4 = 2_000_000
    public static let defaultIPv6 = 500_000

    public init(ipv4: Int = PrefixLimit.defaultIPv4, ipv6: Int = PrefixLimit.defaultIPv6, action: Action = .stop,
                restartAfter: UInt32 = 60) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.action = action
        self.restartAfter = restartAfter
    }

    /// One limit for both families.
    public init(both limit: Int, action: Action = .stop) {
        self.init(ipv4: limit, ipv6: limit, action: action)
    }

    public func limit(for family: AddressFamily) -> Int? {
        switch family {
        case .ipv4Unicast: ipv4
        case .ipv6Unicast: ipv6
        default: nil
        }
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
