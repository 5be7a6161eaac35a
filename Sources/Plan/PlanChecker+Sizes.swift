import NetworkCore

/// Sizes: can each block hold what the plan expects it to, with the stated headroom?
extension PlanChecker {
    /// Alibaba Cloud keeps addresses of every vSwitch for itself: the first and the last three
    /// of an IPv4 block, the first and the last nine of an IPv6 block ("When you create a reserved
    /// IPv4 CIDR block for a vSwitch, the first IP address and the last three IP addresses of the
    /// vSwitch are reserved by the system", CreateVSwitchCidrReservation,
    /// https://www.alibabacloud.com/help/en/vpc/api-610154).
    static func vSwitchReserved(_ family: IPFamily) -> UInt128 { family == .v4 ? 4 : 10 }

    /// A node subnet loses its network address and the gateway (the node's bridge) in both
    /// families, and the broadcast address in IPv4.
    static func nodeSubnetReserved(_ family: IPFamily) -> UInt128 { family == .v4 ? 3 : 2 }

    /// Kubernetes never allocates the network address (and in IPv4 the broadcast address) of the
    /// service range, and the `kubernetes` service takes the first address.
    static func serviceReserved(_ family: IPFamily) -> UInt128 { family == .v4 ? 2 : 1 }

    /// kube-apiserver refuses service ranges with more than 20 host bits (IPv4 shorter than /12,
    /// IPv6 shorter than /108).
    static let serviceMaxHostBits = 20

    /// kube-apiserver's cluster IP allocator holds at most 65,536 addresses of an IPv6 range
    /// ("Limit the max size, since the allocator keeps a bitmap of that size",
    /// pkg/registry/core/service/ipallocator): the rest of a larger range is never handed out.
    static let serviceIPv6AllocatorSize: UInt128 = 65_536

    /// The cluster IPs a service block can hand out.
    static func serviceCapacity(_ block: IPPrefix) -> UInt128 {
        let size = block.family == .v6 ? min(block.addressCount, serviceIPv6AllocatorSize) : block.addressCount
        return size.subtractingSaturating(serviceReserved(block.family))
    }

    mutating func checkEdgeDomainSizes() {
        for domain in plan.edgeDomains {
            for family in IPFamily.allCases {
                checkEdgeDomain(domain, family: family)
            }
        }
    }

    private mutating func checkEdgeDomain(_ domain: Plan.EdgeDomain, family: IPFamily) {
        let pods = domain.podCIDRs(of: family)
        let subjects = pods.map { RoleBlock(role: .edgePods(domain.name), block: $0).subject }
        guard let length = domain.nodeSubnetLength[family] else {
            if !pods.isEmpty {
                report(Finding(.error, .nodeSubnetLengthInvalid, subjects, precaution: .evenlyDividedPodCIDR,
                               message: "edge domain \(domain.name) has \(family) pod CIDRs but no nodeSubnetLength.\(family.key)",
                               hint: "add nodeSubnetLength.\(family.key) (e.g. \(family == .v4 ? 24 : 64))"))
            }
            return
        }
        let lengthSubject = Finding.Subject(role: "node subnet length of \(domain.name)", field: length.location.field,
                                            line: length.location.line, value: "/\(length.value)")
        if pods.isEmpty {
            report(Finding(.error, .nodeSubnetLengthInvalid, [lengthSubject], precaution: .evenlyDividedPodCIDR,
                           message: "edge domain \(domain.name) sets a \(family) node subnet length but has no \(family) pod CIDR",
                           hint: "add a \(family) pod CIDR or remove nodeSubnetLength.\(family.key)"))
            return
        }
        let tooShort = pods.filter { $0.prefix.length > length.value }
        guard tooShort.isEmpty, length.value <= family.bitWidth - 2 else {
            report(Finding(.error, .nodeSubnetLengthInvalid, [lengthSubject], precaution: .evenlyDividedPodCIDR,
                           message: "node subnet length /\(length.value) does not divide the \(family) pod CIDRs of \(domain.name) (\(pods.map(\.prefix.description).joined(separator: ", ")))",
                           hint: "pick a length between the longest pod CIDR's and /\(family.bitWidth - 2)"))
            return
        }
        let subnets = pods.reduce(UInt128(0)) { $0.addingSaturating($1.prefix.subnetCount(ofLength: length.value) ?? 0) }
        requireCapacity(subnets, for: domain.edgeNodes, kind: .nodeSubnetsTooFew, subjects: subjects + [lengthSubject],
                        precaution: .evenlyDividedPodCIDR,
                        what: "\(family) pod CIDRs of \(domain.name) split into /\(length.value) node subnets",
                        unit: "node subnets", needed: "one per edge node",
                        hint: "widen the pod CIDR or lengthen nodeSubnetLength.\(family.key) (smaller subnets, more of them)")
        let perSubnet = (IPPrefix(containing: pods[0].prefix.network, length: length.value)!.addressCount)
            .subtractingSaturating(Self.nodeSubnetReserved(family))
        requireCapacity(perSubnet, for: domain.podsPerEdgeNode, kind: .nodeSubnetTooSmall, subjects: [lengthSubject],
                        precaution: .evenlyDividedPodCIDR,
                        what: "a /\(length.value) node subnet of \(domain.name) (network, gateway\(family == .v4 ? " and broadcast" : "") excluded)",
                        unit: "pod addresses", needed: "podsPerEdgeNode",
                        hint: "shorten nodeSubnetLength.\(family.key) (bigger subnets) or plan fewer pods per node")
    }

    /// Every edge node needs an address on a node network of each family its pods use (one BGP
    /// session per family); the gateway takes one address of each network.
    mutating func checkNodeNetworkSizes() {
        for domain in plan.edgeDomains {
            for family in domain.families {
                let networks = domain.nodeNetworks(of: family)
                guard !networks.isEmpty else { continue }  // `checkGateways` reports the missing network
                let capacity = networks.reduce(UInt128(0)) { $0.addingSaturating($1.cidr.prefix.usableHostCount.subtractingSaturating(1)) }
                let subjects = networks.map { RoleBlock(role: .edgeNodes(domain: domain.name, dataCenter: domain.dataCenter.value), block: $0.cidr).subject }
                requireCapacity(capacity, for: domain.edgeNodes, kind: .nodeNetworksTooSmall, subjects: subjects, precaution: .gatewayPeersWithNodes,
                                what: "\(family) node networks of \(domain.name) (network\(family == .v4 ? ", broadcast" : "") and gateway addresses excluded)",
                                unit: "node addresses", needed: "one per edge node",
                                hint: "widen the node networks or add one (with the gateway's address on it) under nodeNetworks")
            }
        }
    }

    /// With ENI figures (the plan's, or the built-in ones of its instance type), pods per cloud
    /// node cannot exceed what the ENIs hold.
    mutating func checkENICapacity() {
        let vpc = plan.vpc
        let node = vpc.instanceType.map { "one \($0.value) node" } ?? "one cloud node"
        let subject: Finding.Subject, capacity: ENICapacity
        if let figures = vpc.eniCapacity {
            subject = Finding.Subject(role: "cloud nodes' ENI figures", field: figures.location.field, line: figures.location.line,
                                      value: "\(figures.value.enis) × \(figures.value.addressesPerENI)")
            capacity = figures.value
        } else if let type = vpc.instanceType {
            subject = Finding.Subject(role: "cloud nodes' instance type", field: type.location.field, line: type.location.line, value: type.value)
            guard let known = ENICapacity.known[type.value] else {
                report(Finding(.warning, .instanceTypeUnknown, [subject], precaution: .cloudPodsUseVPCAddresses,
                               message: "instance type \(type.value) is not in the built-in ENI table, so podsPerCloudNode is not checked against its ENIs",
                               hint: "give vpc.eniCapacity {eniQuantity, eniPrivateIpAddressQuantity} from DescribeInstanceTypes for \(type.value)"))
                return
            }
            capacity = known
        } else {
            return
        }
        requireCapacity(UInt128(capacity.maxPods), for: vpc.podsPerCloudNode, kind: .eniCapacityExceeded, subjects: [subject],
                        precaution: .cloudPodsUseVPCAddresses,
                        what: "pods \(node) holds in Terway shared-ENI mode ((\(capacity.enis) ENIs - 1) × \(capacity.addressesPerENI) addresses)",
                        unit: "pod addresses", needed: "podsPerCloudNode",
                        hint: "pick an instance type with more ENIs or addresses per ENI, or plan fewer pods per cloud node")
    }

    /// Terway gives every cloud pod a secondary address of an ENI in a vSwitch; the node's own
    /// primary address comes from the same vSwitches. Primary addresses of further ENIs are not
    /// counted: how many a node attaches depends on its instance type.
    mutating func checkCloudSizes() {
        let need = plan.vpc.cloudNodes * (plan.vpc.podsPerCloudNode + 1)
        for family in IPFamily.allCases {
            let blocks = plan.vpc.vSwitches.flatMap { vsw in
                vsw.cidrs.filter { $0.prefix.family == family }.map { RoleBlock(role: .vSwitch(vsw.name), block: $0) }
            }
            guard !blocks.isEmpty else { continue }
            let capacity = blocks.reduce(UInt128(0)) {
                $0.addingSaturating($1.block.prefix.addressCount.subtractingSaturating(Self.vSwitchReserved(family)))
            }
            requireCapacity(capacity, for: need, kind: .vSwitchesTooSmall, subjects: blocks.map(\.subject),
                            precaution: .cloudPodsUseVPCAddresses,
                            what: "\(family) vSwitches (\(Self.vSwitchReserved(family)) addresses of each reserved by Alibaba Cloud)",
                            unit: "addresses", needed: "\(plan.vpc.cloudNodes) cloud nodes × (\(plan.vpc.podsPerCloudNode) pods + the node)",
                            hint: "add or widen vSwitches inside the VPC")
        }
    }

    mutating func checkServiceSizes() {
        for family in IPFamily.allCases {
            let blocks = plan.services.cidrs.filter { $0.prefix.family == family }.map { RoleBlock(role: .services, block: $0) }
            guard !blocks.isEmpty else { continue }
            for item in blocks where family.bitWidth - item.block.prefix.length > Self.serviceMaxHostBits {
                report(Finding(.error, .serviceCIDRTooLarge, [item.subject], precaution: nil,
                               message: "service CIDR \(item.block.prefix) has more than \(Self.serviceMaxHostBits) host bits; kube-apiserver refuses it",
                               hint: "use /\(family.bitWidth - Self.serviceMaxHostBits) or longer"))
            }
            let capacity = blocks.reduce(UInt128(0)) { $0.addingSaturating(Self.serviceCapacity($1.block.prefix)) }
            requireCapacity(capacity, for: plan.services.expectedServices + 1, kind: .serviceCIDRTooSmall, subjects: blocks.map(\.subject),
                            precaution: nil,
                            what: family == .v4 ? "IPv4 service CIDR (network and broadcast address excluded)"
                                : "IPv6 service CIDR (kube-apiserver allocates from its first 65,536 addresses, network address excluded)",
                            unit: "cluster IPs", needed: "\(plan.services.expectedServices) services + the kubernetes service",
                            hint: "widen the service CIDR (up to /\(family.bitWidth - Self.serviceMaxHostBits))")
        }
    }

    /// An error when `capacity` cannot hold `need`; a warning when it holds it with less than
    /// the plan's headroom to spare.
    mutating func requireCapacity(_ capacity: UInt128, for need: Int, kind: Finding.Kind, subjects: [Finding.Subject],
                                  precaution: Precaution?, what: String, unit: String, needed: String, hint: String) {
        let wanted = UInt128(plan.withHeadroom(need)), need = UInt128(need)
        capacities.append(Capacity(what: what, unit: unit, available: capacity, needed: need, wanted: wanted))
        if capacity < need {
            report(Finding(.error, kind, subjects, precaution: precaution,
                           message: "\(what): \(capacity) \(unit), \(need) needed (\(needed))", hint: hint))
        } else if capacity < wanted {
            report(Finding(.warning, .lowHeadroom, subjects, precaution: precaution,
                           message: "\(what): \(capacity) \(unit) for \(need) needed (\(needed)), under the \(plan.headroomPercent)% headroom (\(wanted))",
                           hint: hint))
        }
    }
}

extension UInt128 {
    func addingSaturating(_ other: UInt128) -> UInt128 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    func subtractingSaturating(_ other: UInt128) -> UInt128 {
        self > other ? self - other : 0
    }
}
