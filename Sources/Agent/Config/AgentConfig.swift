import BGP
import NetworkCore
import Plan
import RouteSync

/// The resolved settings of `terway-edged` (`--config`): the agent's own keys with their
/// defaults filled in, and what it takes from the plan's edge domain (lease pools, gateway
/// peers, AS numbers, password, GTSM), so that one plan drives both sides of every session.
public struct AgentConfig: Sendable, Equatable {
    public var planPath: String
    public var plan: Plan
    /// The edge domain this node belongs to.
    public var domain: Plan.EdgeDomain
    public var node: String
    public var nodeAddress: IPAddress
    /// `nodeAddress` and, found on the node network, its address of the other family.
    public var nodeAddresses: [IPAddress]
    public var store: String
    public var subnetFile: String
    public var controlSocket: String
    public var metricsAddress: SocketEndpoint
    /// How long a lease lives without renewal; renewed at a third of it.
    public var leaseTTL: Duration
    /// Where and how routes go into the kernel: the peer host routes (`routes`) and the
    /// routes learned from the gateway (`bgp.kernel`), each under its own protocol number.
    public var routes: RouteSyncConfig
    public var bgp: AgentBGPConfig
    public var masquerade: Bool

    public static let defaultStore = "file:///var/lib/terway-edge/leases.db"
    public static let defaultSubnetFile = "/run/terway-edge/subnet.json"
    public static let defaultControlSocket = "/run/terway-edge/agent.sock"
    public static let defaultMetricsAddress = SocketEndpoint(address: .v4(IPv4Address(0x7f00_0001)), port: 9464)

    /// The speaker's own control socket, beside the agent's (`terway-edge bgp peers` reads it).
    public var bgpControlSocket: String {
        let folder = controlSocket.lastIndex(of: "/").map { String(controlSocket[..<$0]) } ?? "."
        return folder + "/bgp.sock"
    }

    /// The pod CIDRs of the domain, per family, with the node subnet length the plan gives.
    public var pools: [(block: IPPrefix, subnetLength: Int)] {
        domain.podCIDRs.compactMap { block in
            domain.nodeSubnetLength[block.prefix.family].map { (block.prefix, $0.value) }
        }
    }
}

/// `bgp`: overrides of the plan's session settings, and the kernel import.
public struct AgentBGPConfig: Sendable, Equatable {
    /// Override of the plan's `gateway.nodesAdvertise` (what the rendered gateway accepts).
    public var advertise: NodeAdvertisement?
    /// Default: the node's IPv4 address.
    public var routerID: IPv4Address?
    public var holdTime: UInt16 = 90
    public var connectRetryTime: UInt16 = 10
    /// Overrides of the plan's `password` and `gtsm`.
    public var password: String??
    public var gtsm: Bool?
    /// RFC 4724: the gateway keeps our routes this long while the agent restarts.
    public var restartTime: UInt16 = 120
    /// Routes the gateway announces go into the kernel (`bgp.kernel`: false turns it off;
    /// a mapping sets the table, protocol and metric in `AgentConfig.routes`).
    public var kernel = true

    public init() {}
}

extension AgentConfig {
    /// What the node announces: `bgp.advertise`, by default the plan's `gateway.nodesAdvertise`.
    public var advertise: NodeAdvertisement { bgp.advertise ?? domain.gateway.nodesAdvertise }

    /// Destinations pods reach with their own address (never masqueraded): every domain's
    /// pod CIDRs, the VPC CIDRs, the service CIDRs and the data-center networks.
    public var clusterRanges: [IPPrefix] {
        var ranges = plan.edgeDomains.flatMap { $0.podCIDRs.map(\.prefix) }
        ranges += plan.vpc.cidrs.map(\.prefix)
        ranges += plan.services.cidrs.map(\.prefix)
        ranges += plan.dataCenters.flatMap { $0.networks.map(\.prefix) }
        var unique: [IPPrefix] = []
        for range in ranges where !unique.contains(range) { unique.append(range) }
        return unique
    }
}
