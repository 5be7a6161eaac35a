import NetworkCore

/// The data centers' circuits and the paths over them: can the static routes `plan render`
/// prints use them, and does every cross-domain path have a way?
extension PlanChecker {
    /// Both ends of each link on its block as host addresses, distinct; and a link for every
    /// family the VPC shares with the domains behind the circuit (the VBR routes them over it).
    mutating func checkLinks() {
        for dataCenter in plan.dataCenters {
            for link in dataCenter.circuit.links {
                let block = link.cidr.prefix
                for end in [link.vbr, link.dcRouter] where !block.isUsableHost(end.address) {
                    let subject = Finding.Subject(role: "Express Connect link of \(dataCenter.name)", field: end.location.field,
                                                  line: end.location.line, value: end.address.description)
                    report(Finding(.error, .linkAddressInvalid, [subject], precaution: .crossDomainRoutes,
                                   message: "\(end.address) is not a usable host address of the link \(block)",
                                   hint: "take both ends from inside \(block), neither the network\(block.family == .v4 ? " nor the broadcast" : "") address"))
                }
                if link.vbr.address == link.dcRouter.address {
                    report(Finding(.error, .linkAddressInvalid, [RoleBlock(role: .expressConnectLink(dataCenter.name), block: link.cidr).subject],
                                   precaution: .crossDomainRoutes,
                                   message: "the VBR and the DC router of \(dataCenter.name) both have \(link.vbr.address) on the link",
                                   hint: "give each end its own address"))
                }
            }
            // Only families the VPC has cross a circuit: IPv6 edge pods with an IPv4-only VPC stay in their domain.
            let domains = plan.edgeDomains(behind: dataCenter)
            for family in IPFamily.allCases where plan.vpcFamilies.contains(family) && dataCenter.circuit.link(for: family) == nil {
                let pods = domains.flatMap { domain in domain.podCIDRs(of: family).map { RoleBlock(role: .edgePods(domain.name), block: $0).subject } }
                guard !pods.isEmpty else { continue }
                report(Finding(.error, .linkMissing, pods, precaution: .crossDomainRoutes,
                               message: "edge pods behind data center \(dataCenter.name) and the VPC use \(family) but its circuit has no \(family) link to route them over",
                               hint: "add an \(family) link (cidr, vbr, dcRouter) under \(dataCenter.field).circuit.links"))
            }
        }
    }

    /// A pair of domains that shares no carried path in any family: a warning when that is the
    /// plan's design (families that do not meet); missing links, gateways and data centers
    /// are errors of their own.
    mutating func checkPaths() {
        let paths = plan.paths
        var seen: Set<[CrossDomainPath.Endpoint]> = []
        for path in paths {
            let pair = [path.from, path.to]
            guard !seen.contains(pair), !seen.contains(pair.reversed()) else { continue }
            seen.insert(pair)
            let between = paths.filter { ($0.from, $0.to) == (path.from, path.to) || ($0.from, $0.to) == (path.to, path.from) }
            guard !between.contains(where: \.isCarried), between.allSatisfy({ $0.notCarried?.isFamilyMismatch == true }) else { continue }
            let why = IPFamily.allCases.compactMap { family in between.first { $0.family == family } }
                .map { "\($0.family): \($0.whyNotCarried!)" }.joined(separator: "; ")
            report(Finding(.warning, .pathNotCarried, subjects(of: path.from) + subjects(of: path.to), precaution: .crossDomainRoutes,
                           message: "no traffic between \(path.from) and \(path.to): \(why)",
                           hint: "if they must talk, give both ends a family in common that the VPC and both circuits carry"))
        }
    }

    private func subjects(of endpoint: CrossDomainPath.Endpoint) -> [Finding.Subject] {
        switch endpoint {
        case .cloud: return plan.vpc.cidrs.map { RoleBlock(role: .vpc, block: $0).subject }
        case .edgePods(let name): return plan.edgeDomains.first { $0.name == name }.map { domain in domain.podCIDRs.map { RoleBlock(role: .edgePods(name), block: $0).subject } } ?? []
        case .dataCenter(let name):
            guard let dataCenter = plan.dataCenters.first(where: { $0.name == name }) else { return [] }
            let networks = dataCenter.networks.map { RoleBlock(role: .dataCenter(name), block: $0).subject }
            return networks.isEmpty ? [Finding.Subject(role: "data center \(name)", field: dataCenter.field, line: dataCenter.line, value: "")] : networks
        }
    }

    /// The VPC route table's custom entries are capped per table: 200 by default (Alibaba
    /// Cloud's VPC quotas), more where Quota Center raised it.
    mutating func checkRouteQuota() {
        let entries = plan.routes(for: .vpc).first?.routes.count ?? 0
        let quota = plan.vpc.routeEntryQuota?.value ?? Plan.VPC.defaultRouteEntryQuota
        guard entries > quota else { return }
        let subject = plan.vpc.routeEntryQuota.map {
            Finding.Subject(role: "VPC route entry quota", field: $0.location.field, line: $0.location.line, value: String($0.value))
        } ?? RoleBlock(role: .vpc, block: plan.vpc.cidrs[0]).subject
        report(Finding(.error, .vpcRouteQuotaExceeded, [subject], precaution: .crossDomainRoutes,
                       message: "the VPC route table needs \(entries) custom route entries; its quota is \(quota)",
                       hint: "summarize pod CIDRs and data-center networks into fewer blocks, or raise the quota in Quota Center and set vpc.routeEntryQuota"))
    }
}
