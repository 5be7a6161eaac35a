import Netlink
import NetworkCore

/// What one peer should have in the kernel: pure, from the peer, this node's connected
/// networks and the mode. One nexthop per family whose node address is on a connected
/// network, and a route per subnet of that family through it (classic: through the peer's
/// address directly); subnets of a family not one hop away are reached through the gateway.
public struct PeerRoutePlan: Hashable, Sendable {
    /// A peer (or some of its subnets) with no host route, and why.
    public struct Unrouted: Hashable, Sendable {
        public var node: String
        public var subnets: [IPPrefix]
        public var reason: String
    }

    public internal(set) var nexthops: [Nexthop] = []
    public internal(set) var routes: [KernelRoute] = []
    public internal(set) var viaGateway: [Unrouted] = []
    public internal(set) var problems: [String] = []

    /// `mode` is `.nexthop` or `.classic` (auto already resolved). `nexthopID` gives the
    /// id of the peer's nexthop of a family, through that gateway.
    static func make(for peer: PeerNode, connected: [ConnectedNetwork], mode: RoutesMode, table: UInt32,
                     protocolID: UInt8, metric: UInt32?,
                     nexthopID: (IPFamily, IPAddress) -> UInt32) -> PeerRoutePlan {
        var plan = PeerRoutePlan()
        for family in [IPFamily.v4, .v6] {
            let subnets = peer.subnets.filter { $0.family == family }
            guard !subnets.isEmpty else { continue }
            guard let address = peer.nodeAddress(family) else {
                plan.viaGateway.append(Unrouted(node: peer.name, subnets: subnets, reason: "no \(family) node address"))
                continue
            }
            guard !connected.contains(where: { $0.localAddress == address }) else {
                plan.problems.append("peer \(peer.name) has this node's address \(address): its lease is skipped; check that node names are unique")
                continue
            }
            // The longest connected prefix holding the address says the link.
            guard let network = connected.filter({ $0.prefix.contains(address) }).max(by: { $0.prefix.length < $1.prefix.length }) else {
                plan.viaGateway.append(Unrouted(node: peer.name, subnets: subnets, reason: "\(address) is not on a connected network"))
                continue
            }
            if mode == .classic {
                plan.routes += subnets.map {
                    KernelRoute(destination: $0, gateway: address, outputInterface: network.linkIndex, metric: metric, table: table, protocolID: protocolID)
                }
            } else {
                let id = nexthopID(family, address)
                plan.nexthops.append(Nexthop(id: id, gateway: address, outputInterface: network.linkIndex, protocolID: protocolID))
                plan.routes += subnets.map { KernelRoute(destination: $0, nexthopID: id, metric: metric, table: table, protocolID: protocolID) }
            }
        }
        return plan
    }
}

extension KernelRoute {
    /// Whether the kernel's `other` forwards as this planned route does (the kernel adds
    /// the nexthop's gateway and device to a route by id when it reports it).
    func forwardsLike(_ other: KernelRoute) -> Bool {
        if let nexthopID { return other.nexthopID == nexthopID }
        return other.nexthopID == nil && other.gateway == gateway && (outputInterface == nil || other.outputInterface == outputInterface)
    }
}
