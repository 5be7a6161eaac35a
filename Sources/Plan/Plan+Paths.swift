import NetworkCore

/// Every cross-domain path of the plan, built from its circuits and domains.
///
/// - cloud → edge domain D (behind data center C): the VPC sends D's pods to C's VBR, the
///   VBR over the circuit to C's router, the router to D's gateway, which knows each node's
///   subnet over BGP.
/// - edge domain D → cloud: C's router sends the VPC to the VBR, the VBR into the VPC.
/// - edge domain A → edge domain B behind the same data center: its router sends B's pods to
///   B's gateway. Behind different data centers: A's router → A's VBR → the VPC route table →
///   B's VBR → B's router → B's gateway.
/// - cloud ↔ a data center's networks and its domains' node networks (kubelet and the API
///   server): the VPC and the VBR route them to the circuit; the router sends the VPC back.
extension Plan {
    public var paths: [CrossDomainPath] {
        var paths: [CrossDomainPath] = []
        for domain in edgeDomains {
            paths += pathsBetween(.cloud, .edgePods(domain: domain.name))
            paths += pathsBetween(.edgePods(domain: domain.name), .cloud)
        }
        for dataCenter in dataCenters {
            paths += pathsBetween(.cloud, .dataCenter(dataCenter.name))
            paths += pathsBetween(.dataCenter(dataCenter.name), .cloud)
        }
        for a in edgeDomains {
            for b in edgeDomains where a.name != b.name {
                paths += pathsBetween(.edgePods(domain: a.name), .edgePods(domain: b.name))
            }
        }
        return paths
    }

    /// One path per family both ends have; when they share none, one per family either has,
    /// each saying which end lacks it.
    private func pathsBetween(_ from: CrossDomainPath.Endpoint, _ to: CrossDomainPath.Endpoint) -> [CrossDomainPath] {
        let either = IPFamily.allCases.filter { !destinations(of: from, $0).isEmpty || !destinations(of: to, $0).isEmpty }
        let both = either.filter { !destinations(of: from, $0).isEmpty && !destinations(of: to, $0).isEmpty }
        return (both.isEmpty ? either : both).map { family in
            do throws(Blocked) {
                return CrossDomainPath(from: from, to: to, family: family, hops: try hops(from: from, to: to, family: family), notCarried: nil)
            } catch {
                return CrossDomainPath(from: from, to: to, family: family, hops: [], notCarried: error.obstacle)
            }
        }
    }

    /// The blocks that are an endpoint, in one family.
    func destinations(of endpoint: CrossDomainPath.Endpoint, _ family: IPFamily) -> [IPPrefix] {
        switch endpoint {
        case .cloud:
            return vpc.cidrs.map(\.prefix).filter { $0.family == family }
        case .edgePods(let name):
            return edgeDomains.first { $0.name == name }?.podCIDRs(of: family).map(\.prefix) ?? []
        case .dataCenter(let name):
            guard let dataCenter = dataCenters.first(where: { $0.name == name }) else { return [] }
            let own = dataCenter.networks.map(\.prefix).filter { $0.family == family }
            let nodes = edgeDomains(behind: dataCenter).flatMap { $0.nodeNetworks(of: family).map(\.cidr.prefix) }
                .filter { node in !own.contains { $0.contains(node) } }
            return own + nodes
        }
    }

    private struct Blocked: Error {
        let obstacle: CrossDomainPath.Obstacle
    }

    private func hops(from: CrossDomainPath.Endpoint, to: CrossDomainPath.Endpoint, family: IPFamily) throws(Blocked) -> [CrossDomainPath.Hop] {
        let label = "\(from) → \(to)"
        for end in [from, to] where destinations(of: end, family).isEmpty {
            throw Blocked(obstacle: .endpointLacksFamily(end))
        }
        switch (from, to) {
        case (.cloud, let edge):
            let site = try self.site(of: edge, family)
            return try intoVPC(destinations(of: edge, family), toward: site, family, label: label)
                + lastHop(to: edge, at: site, family, label: label)
        case (let edge, .cloud):
            return try outOfDataCenter(vpc.cidrs.map(\.prefix).filter { $0.family == family }, at: site(of: edge, family), family, label: label)
        case (.edgePods, .edgePods):
            let source = try site(of: from, family), target = try site(of: to, family)
            let blocks = destinations(of: to, family)
            let last = try lastHop(to: to, at: target, family, label: label)
            if source.name == target.name { return last }
            guard vpcFamilies.contains(family) else { throw Blocked(obstacle: .vpcLacksFamily) }
            return try outOfDataCenter(blocks, at: source, family, label: label) + intoVPC(blocks, toward: target, family, label: label) + last
        default:
            return []  // paths are built between the cloud and a site, or two edge domains only
        }
    }

    /// The data center an endpoint is at, with a circuit link of the family.
    private func site(of endpoint: CrossDomainPath.Endpoint, _ family: IPFamily) throws(Blocked) -> DataCenter {
        let dataCenter: DataCenter
        switch endpoint {
        case .cloud:
            preconditionFailure("the cloud is no data center")
        case .dataCenter(let name):
            dataCenter = dataCenters.first { $0.name == name }!  // paths name the plan's own data centers
        case .edgePods(let name):
            guard let domain = edgeDomains.first(where: { $0.name == name }), let found = self.dataCenter(of: domain) else {
                throw Blocked(obstacle: .unknownDataCenter(domain: name))
            }
            dataCenter = found
        }
        guard dataCenter.circuit.link(for: family) != nil else { throw Blocked(obstacle: .circuitLacksFamily(dataCenter: dataCenter.name)) }
        return dataCenter
    }

    /// The VPC route table → the data center's VBR → over the circuit to its router.
    private func intoVPC(_ blocks: [IPPrefix], toward site: DataCenter, _ family: IPFamily, label: String) throws(Blocked) -> [CrossDomainPath.Hop] {
        guard vpcFamilies.contains(family) else { throw Blocked(obstacle: .vpcLacksFamily) }
        let link = site.circuit.link(for: family)!
        return blocks.map { CrossDomainPath.Hop(device: .vpc, route: StaticRoute(destination: $0.description, nextHop: .init(type: .vbr, dataCenter: site.name), path: label)) }
            + blocks.map { CrossDomainPath.Hop(device: .vbr(site.name), route: StaticRoute(destination: $0.description,
                                                                                             nextHop: .init(type: .expressConnect, address: link.dcRouter.address.description), path: label)) }
    }

    /// The data center's router → over the circuit to its VBR → into the VPC.
    private func outOfDataCenter(_ blocks: [IPPrefix], at site: DataCenter, _ family: IPFamily, label: String) throws(Blocked) -> [CrossDomainPath.Hop] {
        let link = site.circuit.link(for: family)!
        return blocks.map { CrossDomainPath.Hop(device: .dcRouter(site.name), route: StaticRoute(destination: $0.description,
                                                                                                   nextHop: .init(type: .router, address: link.vbr.address.description), path: label)) }
            + blocks.map { CrossDomainPath.Hop(device: .vbr(site.name), route: StaticRoute(destination: $0.description, nextHop: .init(type: .vpc), path: label)) }
    }

    /// Inside the data center: its router sends a domain's pods to the domain's gateway (which
    /// learned the node subnets over BGP); its own networks it reaches directly.
    private func lastHop(to endpoint: CrossDomainPath.Endpoint, at site: DataCenter, _ family: IPFamily, label: String) throws(Blocked) -> [CrossDomainPath.Hop] {
        guard case .edgePods(let name) = endpoint, let domain = edgeDomains.first(where: { $0.name == name }) else { return [] }
        guard let gateway = domain.nodeNetworks(of: family).first?.gateway else { throw Blocked(obstacle: .gatewayLacksFamily(domain: name)) }
        return domain.podCIDRs(of: family).map {
            CrossDomainPath.Hop(device: .dcRouter(site.name), route: StaticRoute(destination: $0.prefix.description,
                                                                                nextHop: .init(type: .gateway, address: gateway.address.description), path: label))
        }
    }
}
