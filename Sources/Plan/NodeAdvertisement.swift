/// What the nodes of an edge domain announce to its gateway over BGP (`gateway.nodesAdvertise`
/// in the plan, `bgp.advertise` in the agent's config): each node its own node subnets, or
/// every node the domain's pod CIDRs whole (the gateway then forwards all pod traffic to any
/// one node, which forwards it on by its host routes). The rendered gateway takes only that.
public enum NodeAdvertisement: String, Hashable, Sendable, CaseIterable {
    case nodeSubnet = "node-subnet"
    case domainAggregate = "domain-aggregate"
}
