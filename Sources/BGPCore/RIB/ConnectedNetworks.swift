import NetworkCore

/// The networks the speaker's interfaces are on: a next hop inside one of them is reachable
/// without a router in between (RFC 4271 §5.1.3, §9.1.2.1). A single-hop eBGP peer's next
/// hop must be one of these, as FRR's connected check and BIRD's `gateway direct` require;
/// a route through any other next hop would be installed towards nowhere.
public struct ConnectedNetworks: Sendable, Hashable {
    public var networks: [IPPrefix]

    public init(_ networks: [IPPrefix]) {
        self.networks = networks
    }

    /// Whether the speaker reaches `nextHop` directly. An IPv6 next hop with a link-local
    /// part (RFC 2545 §3) is on the session's link by definition.
    public func reaches(_ nextHop: NextHop) -> Bool {
        switch nextHop {
        case .ipv4(let address): contains(.v4(address))
        case .ipv6(let global, let linkLocal): linkLocal != nil || contains(.v6(global))
        case .other: false
        }
    }

    private func contains(_ address: IPAddress) -> Bool {
        networks.contains { $0.contains(address) }
    }
}
