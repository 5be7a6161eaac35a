import NetworkCore

/// What a block of the plan is for. Overlap rules and finding texts are written per role.
enum PlanRole: Hashable {
    case vpc
    case vSwitch(String)
    case services
    /// A network of the named data center.
    case dataCenter(String)
    /// The Express Connect link of the named data center's circuit.
    case expressConnectLink(String)
    case edgePods(String)
    case edgeNodes(domain: String, dataCenter: String)

    var label: String {
        switch self {
        case .vpc: "VPC"
        case .vSwitch(let name): "vSwitch \(name)"
        case .services: "service CIDR"
        case .dataCenter(let name): "network of data center \(name)"
        case .expressConnectLink(let name): "Express Connect link of \(name)"
        case .edgePods(let domain): "edge pods of \(domain)"
        case .edgeNodes(let domain, _): "edge node network of \(domain)"
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

    /// Blocks whose IPv6 space Alibaba Cloud assigns from its own public space (the VPC's
    /// block, its vSwitches, the VBR's side of a circuit): public IPv6 there is by design.
    var hasAlibabaAssignedIPv6: Bool {
        switch self {
        case .vpc, .vSwitch, .expressConnectLink: true
        default: false
        }
    }

    /// Overlaps that are part of the design rather than mistakes: vSwitches are carved out of
    /// the VPC (a vSwitch outside it is reported on its own), and a data center's networks may
    /// summarize one another and hold its edge node networks and its circuit's link. Across
    /// data centers the same overlaps are errors: routers could not tell which one is meant.
    func mayOverlap(_ other: PlanRole) -> Bool {
        switch (self, other) {
        case (.vSwitch, .vpc), (.vpc, .vSwitch): true
        case (.edgeNodes(_, let a), .dataCenter(let b)), (.dataCenter(let b), .edgeNodes(_, let a)): a == b
        case (.expressConnectLink(let a), .dataCenter(let b)), (.dataCenter(let b), .expressConnectLink(let a)): a == b
        case (.dataCenter(let a), .dataCenter(let b)): a == b
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
        for dataCenter in dataCenters {
            blocks += dataCenter.networks.map { RoleBlock(role: .dataCenter(dataCenter.name), block: $0) }
            blocks += dataCenter.circuit.links.map { RoleBlock(role: .expressConnectLink(dataCenter.name), block: $0.cidr) }
        }
        for domain in edgeDomains {
            blocks += domain.podCIDRs.map { RoleBlock(role: .edgePods(domain.name), block: $0) }
            blocks += domain.nodeNetworks.map { RoleBlock(role: .edgeNodes(domain: domain.name, dataCenter: domain.dataCenter.value), block: $0.cidr) }
        }
        return blocks
    }
}

extension IPPrefix {
    /// Whether `address` can be a host's address on this network: inside it, and neither the
    /// network address (IPv6: the subnet-router anycast, RFC 4291 §2.6.1) nor, in IPv4, the
    /// broadcast address, except on point-to-point links (/31, RFC 3021; /127, RFC 6164) and
    /// single-address blocks, where every address is a host's.
    func isUsableHost(_ address: IPAddress) -> Bool {
        guard contains(address) else { return false }
        if length >= family.bitWidth - 1 { return true }
        return address != network && (family == .v6 || address != lastAddress)
    }

    /// How many host addresses the network has under the rule of `isUsableHost`.
    var usableHostCount: UInt128 {
        if length >= family.bitWidth - 1 { return addressCount }
        return addressCount - (family == .v4 ? 2 : 1)
    }
}
