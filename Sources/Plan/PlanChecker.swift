import NetworkCore

/// `plan check`: every finding of a plan, sorted (errors first). A plan is sound when no
/// finding is an error; warnings alone do not make it unsound.
public struct PlanChecker {
    public let plan: Plan
    var findings: [Finding] = []
    var capacities: [Capacity] = []

    public init(plan: Plan) {
        self.plan = plan
    }

    public static func check(_ plan: Plan) -> [Finding] {
        run(plan).findings
    }

    /// The findings, and every size compared on the way (for the report's capacity table).
    public static func run(_ plan: Plan) -> (findings: [Finding], capacities: [Capacity]) {
        var checker = PlanChecker(plan: plan)
        checker.checkNames()
        checker.checkOverlaps()
        checker.checkVSwitchesInsideVPC()
        checker.checkVPCBlocks()
        checker.checkVSwitchBlocks()
        checker.checkAddressSpace()
        checker.checkAlibabaReservedSpace()
        checker.checkEdgeDomainSizes()
        checker.checkNodeNetworkSizes()
        checker.checkCloudSizes()
        checker.checkENICapacity()
        checker.checkServiceSizes()
        checker.checkGateways()
        checker.checkLinks()
        checker.checkPaths()
        checker.checkRouteQuota()
        return (Set(checker.findings).sorted(), checker.capacities)
    }

    mutating func report(_ finding: Finding) {
        findings.append(finding)
    }

    /// Two vSwitches, data centers or domains with one name cannot be told apart in findings
    /// and configs; a domain must name a data center of the plan.
    mutating func checkNames() {
        let named: [(String, String, PlanLocation)] =
            plan.vpc.vSwitches.map { ("vSwitch", $0.name, $0.cidrs[0].location) } +
            plan.dataCenters.map { ("data center", $0.name, PlanLocation(field: $0.field, line: $0.line)) } +
            plan.edgeDomains.map { ("edge domain", $0.name, PlanLocation(field: $0.field, line: $0.line)) }
        var seen: [String: PlanLocation] = [:]
        for (what, name, location) in named {
            let key = "\(what)\u{0}\(name)"
            if let first = seen[key] {
                report(Finding(.error, .duplicateName,
                               [Finding.Subject(role: what, field: first.field, line: first.line, value: name),
                                Finding.Subject(role: what, field: location.field, line: location.line, value: name)],
                               precaution: nil, message: "two \(what)s are named \(name)",
                               hint: "give every \(what) its own name"))
            } else {
                seen[key] = location
            }
        }
        let known = plan.dataCenters.map(\.name)
        for domain in plan.edgeDomains where !known.contains(domain.dataCenter.value) {
            let reference = domain.dataCenter
            report(Finding(.error, .unknownDataCenter,
                           [Finding.Subject(role: "data center of \(domain.name)", field: reference.location.field,
                                            line: reference.location.line, value: reference.value)],
                           precaution: .crossDomainRoutes,
                           message: "edge domain \(domain.name) is behind data center \(reference.value), which the plan does not have",
                           hint: "name one of the plan's data centers (\(known.joined(separator: ", "))) or add \(reference.value) under dataCenters"))
        }
    }

    /// Every pair of blocks, within a role's list and across roles, IPv4 and IPv6 alike.
    /// The seed's precaution is quoted only where a container block is involved.
    mutating func checkOverlaps() {
        let blocks = plan.roleBlocks
        for (i, first) in blocks.enumerated() {
            for second in blocks[(i + 1)...] where first.block.prefix.overlaps(second.block.prefix) {
                guard !first.role.mayOverlap(second.role) else { continue }
                let containers = first.role.holdsContainers || second.role.holdsContainers
                let shared = first.block.prefix.length >= second.block.prefix.length ? first.block.prefix : second.block.prefix
                let message = first.block.prefix == second.block.prefix
                    ? "\(first.role.label) and \(second.role.label) are the same block \(shared)"
                    : "\(first.role.label) \(first.block.prefix) and \(second.role.label) \(second.block.prefix) share \(shared)"
                report(Finding(.error, .overlap, [first.subject, second.subject],
                               precaution: containers ? .containerCIDRsDoNotOverlap : nil,
                               message: message,
                               hint: "move one of the two to a block no other role uses; routers cannot tell which side \(shared) is on"))
            }
        }
    }

    mutating func checkVSwitchesInsideVPC() {
        for vsw in plan.vpc.vSwitches {
            for block in vsw.cidrs where !plan.vpc.cidrs.contains(where: { $0.prefix.contains(block.prefix) }) {
                let subject = RoleBlock(role: .vSwitch(vsw.name), block: block).subject
                report(Finding(.error, .vSwitchOutsideVPC, [subject], precaution: .cloudPodsUseVPCAddresses,
                               message: "vSwitch \(vsw.name) \(block.prefix) is not inside any VPC CIDR",
                               hint: "carve the vSwitch out of a VPC CIDR (\(plan.vpc.cidrs.map(\.prefix.description).joined(separator: ", ")))"))
            }
        }
    }

    /// Alibaba Cloud refuses these as VPC CIDRs ("You cannot use 100.64.0.0/10, 224.0.0.0/4,
    /// 127.0.0.0/8, or 169.254.0.0/16 as the IPv4 CIDR block of the VPC",
    /// https://www.alibabacloud.com/help/en/vpc/vpc-and-vswitch).
    static let refusedVPCBlocks = ["100.64.0.0/10", "224.0.0.0/4", "127.0.0.0/8", "169.254.0.0/16"].map { IPPrefix($0)! }

    /// IPv4 VPC CIDRs are /8 to /28 long (same page).
    static let vpcIPv4Lengths = 8...28

    mutating func checkVPCBlocks() {
        for block in plan.vpc.cidrs {
            let subject = RoleBlock(role: .vpc, block: block).subject
            if let refused = Self.refusedVPCBlocks.first(where: { $0.overlaps(block.prefix) }) {
                report(Finding(.error, .vpcCIDRNotAllowed, [subject], precaution: .cloudPodsUseVPCAddresses,
                               message: "Alibaba Cloud does not accept \(block.prefix) as a VPC CIDR: it overlaps \(refused)",
                               hint: "use RFC 1918 space for the VPC (10/8, 172.16/12, 192.168/16)"))
            }
            if block.prefix.family == .v4 && !Self.vpcIPv4Lengths.contains(block.prefix.length) {
                report(Finding(.error, .vpcCIDRNotAllowed, [subject], precaution: .cloudPodsUseVPCAddresses,
                               message: "Alibaba Cloud takes IPv4 VPC CIDRs of /8 to /28; \(block.prefix) is /\(block.prefix.length)",
                               hint: "give the VPC a block between /8 and /28"))
            }
        }
    }

    /// vSwitch blocks: IPv4 /16 to /29, IPv6 exactly a /64 of the VPC's block (Alibaba
    /// Cloud's limits for vSwitches, https://www.alibabacloud.com/help/en/vpc/vpc-and-vswitch).
    static let vSwitchIPv4Lengths = 16...29

    mutating func checkVSwitchBlocks() {
        for vsw in plan.vpc.vSwitches {
            for block in vsw.cidrs {
                let length = block.prefix.length
                let allowed = block.prefix.family == .v4 ? Self.vSwitchIPv4Lengths.contains(length) : length == 64
                guard !allowed else { continue }
                let range = block.prefix.family == .v4 ? "/16 to /29" : "/64"
                report(Finding(.error, .vSwitchSizeNotAllowed, [RoleBlock(role: .vSwitch(vsw.name), block: block).subject],
                               precaution: .cloudPodsUseVPCAddresses,
                               message: "Alibaba Cloud takes \(block.prefix.family) vSwitch blocks of \(range); vSwitch \(vsw.name) \(block.prefix) is /\(length)",
                               hint: "make the vSwitch a \(range) block inside the VPC"))
            }
        }
    }

    /// Blocks that cannot carry traffic at all are errors; public space used privately is a warning
    /// (fine when the organization owns it, a black hole for that part of the Internet otherwise).
    /// Link-local space is accepted on an Express Connect link alone: it is a point-to-point
    /// link whose block is never a route destination.
    mutating func checkAddressSpace() {
        for item in plan.roleBlocks {
            switch item.block.prefix.addressSpace {
            case .privateUse, .sharedAddressSpace, .uniqueLocal:
                continue  // RFC 6598 is Alibaba's own space: `checkAlibabaReservedSpace`
            case .notRoutable where item.role.isExpressConnectLink && Self.linkLocal.contains(where: { $0.contains(item.block.prefix) }):
                continue
            case .notRoutable:
                report(Finding(.error, .notRoutableAddressSpace, [item.subject], precaution: nil,
                               message: "\(item.role.label) \(item.block.prefix) is in special-purpose space that is never routed (loopback, link-local, multicast or reserved)",
                               hint: "use RFC 1918 space (10/8, 172.16/12, 192.168/16) or IPv6 ULA (fd00::/8)\(item.role.isExpressConnectLink ? "; link-local space fits an Express Connect link only" : "")"))
            case .publicSpace where item.block.prefix.family == .v6 && item.role.hasAlibabaAssignedIPv6:
                continue  // Alibaba Cloud assigns these IPv6 blocks from its own public space; they cannot be chosen
            case .publicSpace, .documentation, .benchmarking:
                report(Finding(.warning, .publicAddressSpace, [item.subject], precaution: nil,
                               message: "\(item.role.label) \(item.block.prefix) is not private address space (\(item.block.prefix.addressSpace.rawValue))",
                               hint: "fine if your organization owns it; otherwise use RFC 1918 space or IPv6 ULA"))
            }
        }
    }

    static let linkLocal = ["169.254.0.0/16", "fe80::/10"].map { IPPrefix($0)! }

    /// 100.64.0.0/10 is Alibaba Cloud's own inside every VPC: the system route table carries
    /// it "for cloud product communication within the VPC" (100.100.0.0/16 holds the DNS and
    /// metadata services), and a custom route entry may not take a destination in it. Every
    /// block of the plan outside the VPC is a route destination or shares the VPC's routing,
    /// so none may lie there.
    static let alibabaReserved = IPPrefix("100.64.0.0/10")!

    mutating func checkAlibabaReservedSpace() {
        for item in plan.roleBlocks where !item.role.isCloud && item.block.prefix.overlaps(Self.alibabaReserved) {
            report(Finding(.error, .alibabaReservedSpace, [item.subject], precaution: .crossDomainRoutes,
                           message: "\(item.role.label) \(item.block.prefix) overlaps 100.64.0.0/10, which Alibaba Cloud keeps for its own services in every VPC (DNS and metadata in 100.100.0.0/16); the VPC route table refuses destinations there",
                           hint: "move it to RFC 1918 space (10/8, 172.16/12, 192.168/16)"))
        }
    }
}

extension PlanRole {
    var isExpressConnectLink: Bool {
        if case .expressConnectLink = self { true } else { false }
    }
}
