import NetworkCore

/// What the peer routes look like now, for `status` and metrics.
public struct PeerRouteReport: Hashable, Sendable {
    /// How routes are programmed: `nexthop` or `classic` (auto resolved).
    public var mode: RoutesMode
    /// Subnets of directly connected peers: each should have a host route.
    public var expected: [IPPrefix]
    /// Expected subnets whose route the kernel has acknowledged and still holds.
    public var installed: [IPPrefix]
    /// Expected but not in the kernel now (refused, or deleted and not repaired yet).
    public var missing: [IPPrefix]
    /// Peers not on a directly connected network: no host route, reached through the gateway.
    public var viaGateway: [PeerRoutePlan.Unrouted]
    /// Why a route is missing, one sentence per problem.
    public var problems: [String]

    public init(mode: RoutesMode, expected: [IPPrefix] = [], installed: [IPPrefix] = [], missing: [IPPrefix] = [],
                viaGateway: [PeerRoutePlan.Unrouted] = [], problems: [String] = []) {
        self.mode = mode
        self.expected = expected
        self.installed = installed
        self.missing = missing
        self.viaGateway = viaGateway
        self.problems = problems
    }
}
