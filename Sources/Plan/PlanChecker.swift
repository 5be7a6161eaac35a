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
        checker.checkAddressSpace()
        checker.checkEdgeDomainSizes()
        checker.checkCloudSizes()
        checker.checkServiceSizes()
        checker.checkGateways()
        checker.checkLinks()
        return (Set(checker.findings).sorted(), checker.capacities)
    }

    mutating func report(_ finding: Finding) {
        findings.append(finding)
    }

    /// Two vSwitches or two domains with one name cannot be told apart in findings and configs.
    mutating func checkNames() {
        let named: [(String, String, PlanLocation)] =
            plan.vpc.vSwitches.map { ("vSwitch", $0.name, $0.cidrs[0].location) } +
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
    }

    /// Every pair of blocks, within a role's list and across roles, IPv4 and IPv6 alike.
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
                               precaution: containers ? .containerCIDRsDoNotOverlap : .crossDomainRoutes,
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

    mutating func checkVPCBlocks() {
        for block in plan.vpc.cidrs {
            guard let refused = Self.refusedVPCBlocks.first(where: { $0.overlaps(block.prefix) }) else { continue }
            report(Finding(.error, .vpcCIDRNotAllowed, [RoleBlock(role: .vpc, block: block).subject], precaution: .cloudPodsUseVPCAddresses,
                           message: "Alibaba Cloud does not accept \(block.prefix) as a VPC CIDR: it overlaps \(refused)",
                           hint: "use RFC 1918 space for the VPC (10/8, 172.16/12, 192.168/16)"))
        }
    }

    /// Blocks that cannot carry traffic at all are errors; public space used privately is a warning
    /// (fine when the organization owns it, a black hole for that part of the Internet otherwise).
    mutating func checkAddressSpace() {
        for item in plan.roleBlocks {
            switch item.block.prefix.addressSpace {
            case .privateUse, .sharedAddressSpace, .uniqueLocal:
                continue
            case .notRoutable:
                report(Finding(.error, .notRoutableAddressSpace, [item.subject], precaution: nil,
                               message: "\(item.role.label) \(item.block.prefix) is in special-purpose space that is never routed (loopback, link-local, multicast or reserved)",
                               hint: "use RFC 1918 space (10/8, 172.16/12, 192.168/16), RFC 6598 (100.64/10) or IPv6 ULA (fd00::/8)"))
            case .publicSpace where item.block.prefix.family == .v6 && item.role.isCloud:
                continue  // Alibaba Cloud assigns VPC IPv6 blocks from its own public space; they cannot be chosen
            case .publicSpace, .documentation, .benchmarking:
                report(Finding(.warning, .publicAddressSpace, [item.subject], precaution: nil,
                               message: "\(item.role.label) \(item.block.prefix) is not private address space (\(item.block.prefix.addressSpace.rawValue))",
                               hint: "fine if your organization owns it; otherwise use RFC 1918, RFC 6598 or IPv6 ULA space"))
            }
        }
    }
}
