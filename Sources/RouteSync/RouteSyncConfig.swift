import NetworkCore

/// Where RouteSync writes and under which protocol numbers: the kernel table settings
/// (`table`, `protocol`, `metric`: the keys of `bgp serve`'s `kernel` mapping, whose
/// protocol is `learnedProtocolID`), the peer routes' own number and `routes.mode`.
/// `validated()` checks what YAML parsing cannot: numbers another daemon owns, the local
/// table, two sources sharing a number.
public struct RouteSyncConfig: Hashable, Sendable {
    /// The routing table of both sources; 254 is `main`.
    public var table: UInt32
    /// BGP's learned best paths are installed under this number.
    public var learnedProtocolID: UInt8
    /// Peer host routes and their nexthop objects are installed under this number.
    public var peerProtocolID: UInt8
    /// RTA_PRIORITY of every route we install; nil: the kernel's default (0 IPv4, 1024 IPv6).
    public var metric: UInt32?
    public var mode: RoutesMode
    /// How often the kernel is read again in full, for changes no event announced.
    public var resyncInterval: Duration

    public init(table: UInt32 = 254, learnedProtocolID: UInt8 = KernelProtocolNumbers.learnedRoutes,
                peerProtocolID: UInt8 = KernelProtocolNumbers.peerRoutes, metric: UInt32? = nil,
                mode: RoutesMode = .auto, resyncInterval: Duration = .seconds(60)) {
        self.table = table
        self.learnedProtocolID = learnedProtocolID
        self.peerProtocolID = peerProtocolID
        self.metric = metric
        self.mode = mode
        self.resyncInterval = resyncInterval
    }

    /// The table BGP's learned routes go into.
    public var learnedTable: KernelTable { KernelTable(id: table, protocolID: learnedProtocolID, metric: metric) }

    /// This config, or the first problem with it, naming the key.
    public func validated() throws(RouteSyncConfigError) -> RouteSyncConfig {
        // 255 is `local` (the kernel's own addresses), 0 is unspec.
        guard table != 0, table != 255 else { throw RouteSyncConfigError(key: "table", "must not be \(table) (0 is unspec, 255 the local table)") }
        try Self.checkProtocol(learnedProtocolID, key: "protocol")
        try Self.checkProtocol(peerProtocolID, key: "routes.protocol")
        guard learnedProtocolID != peerProtocolID else {
            throw RouteSyncConfigError(key: "routes.protocol", "must differ from the learned routes' protocol \(learnedProtocolID): each source owns its number")
        }
        guard resyncInterval > .zero else { throw RouteSyncConfigError(key: "routes.resyncInterval", "must be positive") }
        return self
    }
}

extension RouteSyncConfig {
    /// Refuses a protocol number another daemon uses (`key` names the setting in the error).
    public static func checkProtocol(_ number: UInt8, key: String) throws(RouteSyncConfigError) {
        if let owner = KernelProtocolNumbers.owner(of: number) {
            throw RouteSyncConfigError(key: key, "\(number) belongs to \(owner): pick a number no other daemon uses (206 and 207 are free)")
        }
    }
}

/// A RouteSync setting that cannot be used, with the key it came from.
public struct RouteSyncConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public let key: String
    public let reason: String

    public init(key: String, _ reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key): \(reason)" }
}
