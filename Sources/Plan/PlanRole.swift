/// What a block of the plan is for. Overlap rules and finding texts are written per role.
enum PlanRole: Hashable {
    case vpc
    case vSwitch(String)
    case services
    case dataCenter
    case edgePods(String)
    case edgeNodes(String)
    case expressConnectLink

    var label: String {
        switch self {
        case .vpc: "VPC"
        case .vSwitch(let name): "vSwitch \(name)"
        case .services: "service CIDR"
        case .dataCenter: "data-center network"
        case .edgePods(let domain): "edge pods of \(domain)"
        case .edgeNodes(let domain): "edge node network of \(domain)"
        case .expressConnectLink: "Express Connect link"
        }
    }

    /// Blocks that carry container addresses: the seed's overlap precaution is about these.
    var holdsContainers: Bool {
        switch self {
        case .vSwitch, .edgePods, .vpc: true
        default: false
        }
    }

    /// The VPC and its vSwitches: address space Alibaba Cloud manages.
    var isCloud: Bool {
        switch self {
        case .vpc, .vSwitch: true
        default: false
        }
    }

    /// Overlaps that are part of the design rather than mistakes: vSwitches are carved out
    /// of the VPC (a vSwitch outside it is reported on its own), and edge node networks and
    /// the Express Connect link are the data center's own networks.
    func mayOverlap(_ other: PlanRole) -> Bool {
        switch (self, other) {
        case (.vSwitch, .vpc), (.vpc, .vSwitch): true
        case (.edgeNodes, .dataCenter), (.dataCenter, .edgeNodes): true
        case (.expressConnectLink, .dataCenter), (.dataCenter, .expressConnectLink): true
        default: false
        }
    }
}

/// A block of the plan with its role.
struct RoleBlock {
    let role: PlanRole
    let block: PlanBlock

    var subject: Finding.Subject {
        Finding.Subject(role: role.label, field: block.location.field, line: block.location.line, value: block.prefix.description)
    }
}

extension Plan {
    /// Every block of the plan, in file order.
    var roleBlocks: [RoleBlock] {
        var blocks = vpc.cidrs.map { RoleBlock(role: .vpc, block: $0) }
        for vsw in vpc.vSwitches { blocks += vsw.cidrs.map { RoleBlock(role: .vSwitch(vsw.name), block: $0) } }
        blocks += services.cidrs.map { RoleBlock(role: .services, block: $0) }
        blocks += dataCenterNetworks.map { RoleBlock(role: .dataCenter, block: $0) }
        blocks += expressConnect.links.map { RoleBlock(role: .expressConnectLink, block: $0.cidr) }
        for domain in edgeDomains {
            blocks += domain.podCIDRs.map { RoleBlock(role: .edgePods(domain.name), block: $0) }
            blocks += domain.nodeNetworks.map { RoleBlock(role: .edgeNodes(domain.name), block: $0) }
        }
        return blocks
    }
}
