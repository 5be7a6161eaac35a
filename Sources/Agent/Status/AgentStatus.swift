import BGP

/// What `terway-edge status` shows, as the agent's control socket answers it. The JSON has
/// exactly these keys (`lease.expiresAt` is null while the node holds no lease).
public struct AgentStatus: Codable, Sendable, Equatable {
    public var node: String
    /// `edge` or `cloud`.
    public var role: String
    public var domain: String
    public var lease: LeaseState
    public var routes: RouteState
    /// The BGP sessions, as `terway-edge bgp peers` prints them.
    public var peers: [PeerStatus]
    public var masquerade: MasqueradeState
    /// Each a sentence naming what to do.
    public var problems: [String]
    /// Role cloud: the ENI warm pool (absent for the edge role).
    public var cloud: CloudState?

    public struct CloudState: Codable, Sendable, Equatable {
        public var instance: String
        public var instanceType: String
        /// Addresses in the pool, idle ones, and those held by pods.
        public var poolSize: Int
        /// IPv6 addresses in the pool, each the partner of one IPv4 (dual-stack ENIs). nil
        /// (the key absent, as `cloud` is for the edge role) on a node without IPv6: no ENI
        /// of the pool is on a vSwitch with an IPv6 block under a type with an IPv6 quota.
        public var ipv6PoolSize: Int?
        public var idle: Int
        public var inUse: Int
        public var minIdle: Int
        public var maxIdle: Int
        /// `eni-… slot N table T MAC, K addresses`.
        public var enis: [String]
        public var maxENIs: Int
        public var leaksRepaired: Int
        public var routesRepaired: Int
        /// Cloud mutations written to the ledger and not yet confirmed done.
        public var intentsOpen: Int
        public var apiCalls: [String: Int]
        public var apiThrottled: [String: Int]
    }

    public struct LeaseState: Codable, Sendable, Equatable {
        public var subnets: [String]
        /// RFC 3339 UTC.
        public var expiresAt: String?

        public init(subnets: [String], expiresAt: String?) {
            self.subnets = subnets
            self.expiresAt = expiresAt
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(subnets, forKey: .subnets)
            try container.encode(expiresAt, forKey: .expiresAt)
        }
    }

    /// Host routes to the other nodes' subnets: how many should be in the kernel, how many
    /// are, the prefixes that are not, and the nodes reached through the gateway instead
    /// (not on a directly connected network: no host route, by design).
    public struct RouteState: Codable, Sendable, Equatable {
        public var expected: Int
        public var installed: Int
        public var missing: [String]
        public var viaGateway: [String]

        public init(expected: Int, installed: Int, missing: [String], viaGateway: [String]) {
            self.expected = expected
            self.installed = installed
            self.missing = missing
            self.viaGateway = viaGateway
        }
    }

    public struct MasqueradeState: Codable, Sendable, Equatable {
        public var installed: Bool
        /// The rules of our table, as `nft list table` shows them.
        public var rules: [String]

        public init(installed: Bool, rules: [String]) {
            self.installed = installed
            self.rules = rules
        }
    }

    public init(node: String, role: String, domain: String, lease: LeaseState, routes: RouteState, peers: [PeerStatus],
                masquerade: MasqueradeState, problems: [String], cloud: CloudState? = nil) {
        self.node = node
        self.role = role
        self.domain = domain
        self.lease = lease
        self.routes = routes
        self.peers = peers
        self.masquerade = masquerade
        self.problems = problems
        self.cloud = cloud
    }
}
