import NetworkCore

/// The Express Connect link: can the static routes `plan render` prints use it?
extension PlanChecker {
    /// Both ends of each link inside its block, distinct, and not the network or broadcast
    /// address; and a link for every family the edge pods use (the VBR routes them over it).
    mutating func checkLinks() {
        for link in plan.expressConnect.links {
            let block = link.cidr.prefix
            let pointToPoint = block.family == .v4 ? block.length >= 31 : block.length >= 127
            for end in [link.vbr, link.dcRouter] {
                let subject = Finding.Subject(role: "Express Connect link", field: end.location.field, line: end.location.line, value: end.address.description)
                let edge = end.address == block.network || (block.family == .v4 && end.address == block.lastAddress)
                if !block.contains(end.address) || (edge && !pointToPoint) {
                    report(Finding(.error, .linkAddressInvalid, [subject], precaution: .crossDomainRoutes,
                                   message: "\(end.address) is not a usable host address of the link \(block)",
                                   hint: "take both ends from inside \(block), neither the network\(block.family == .v4 ? " nor the broadcast" : "") address"))
                }
            }
            if link.vbr.address == link.dcRouter.address {
                report(Finding(.error, .linkAddressInvalid, [RoleBlock(role: .expressConnectLink, block: link.cidr).subject],
                               precaution: .crossDomainRoutes,
                               message: "the VBR and the DC router both have \(link.vbr.address) on the link",
                               hint: "give each end its own address"))
            }
        }
        // Only families both sides use cross the circuit: IPv6 edge pods with an IPv4-only VPC stay in their domain.
        let families = Set(plan.edgeDomains.flatMap(\.families)).intersection(plan.vpc.cidrs.map(\.prefix.family))
        for family in IPFamily.allCases where families.contains(family) && plan.expressConnect.link(for: family) == nil {
            let pods = plan.edgeDomains.flatMap { domain in domain.podCIDRs(of: family).map { RoleBlock(role: .edgePods(domain.name), block: $0).subject } }
            report(Finding(.error, .linkMissing, pods, precaution: .crossDomainRoutes,
                           message: "edge pods and the VPC use \(family) but the Express Connect circuit has no \(family) link to route them over",
                           hint: "add an \(family) link (cidr, vbr, dcRouter) under expressConnect.links"))
        }
    }
}
