import NetworkCore
import Plan

/// Everything `lab up` builds, derived from the plan alone (no I/O): the namespaces, the
/// veth pairs and bridges between them, their addresses, each namespace's routes (the VPC,
/// VBR and data-center router routes are `plan render --for vpc|vbr|dc-router`), the edge
/// gateways, edge nodes and ECS instances. Names are `te-<lab>-…`, so `lab down` can sweep them.
public struct LabTopology: Sendable {
    public let lab: String
    public let plan: Plan
    public let size: LabSize
    public private(set) var namespaces: [LabNamespace] = []
    public private(set) var veths: [Veth] = []
    public private(set) var bridges: [Bridge] = []
    public private(set) var addresses: [Address] = []
    public private(set) var routes: [Route] = []
    /// Namespaces that forward packets (routers and nodes).
    public private(set) var forwarding: [String] = []
    public private(set) var gateways: [Gateway] = []
    public private(set) var edgeNodes: [EdgeNode] = []
    public private(set) var instances: [Instance] = []

    /// Where the emulator answers inside the VPC: the metadata service's well-known address.
    public static let cloudAddress = "100.100.100.200"
    public static let apiPort = 8460
    /// The host in the internet namespace that masqueraded traffic is sent to (TEST-NET-2).
    public static let internetHost = "198.51.100.10"

    public struct Veth: Sendable, Hashable {
        public var a: End
        public var b: End
    }

    public struct End: Sendable, Hashable {
        public var namespace: String
        public var device: String
        /// The bridge this end is a port of.
        public var bridge: String?
    }

    public struct Bridge: Sendable, Hashable {
        public var namespace: String
        public var device: String
    }

    /// An address with its prefix length, as `ip addr add` takes it.
    public struct Address: Sendable, Hashable {
        public var namespace: String
        public var device: String
        public var cidr: String
    }

    public struct Route: Sendable, Hashable {
        public var namespace: String
        public var destination: String
        public var via: String?
        public var device: String?
        /// The plan's words for what the route carries (empty for the lab's own routes).
        public var path: String
    }

    /// The edge gateway of one domain: BIRD in its data center's router.
    public struct Gateway: Sendable, Hashable {
        public var namespace: String
        public var domain: String
        /// The gateway's address on each node network.
        public var addresses: [String]
    }

    public struct EdgeNode: Sendable, Hashable, Codable {
        public var name: String
        public var namespace: String
        public var domain: String
        /// The node's own addresses (IPv4 first), on its node network.
        public var addresses: [String]
        /// The gateway's addresses on that network, same order.
        public var gateways: [String]
    }

    /// An ECS instance of the emulated VPC: an ECS VM or a cloud node.
    public struct Instance: Sendable, Hashable, Codable {
        public var id: String
        public var namespace: String
        public var vSwitch: String
        public var vSwitchCIDR: String
        public var primaryIP: String
        /// The Kubernetes node name of a cloud node (`cloud-N`); nil for an ECS VM.
        public var node: String?
        public var isCloudNode: Bool { node != nil }
    }

    public var vpcNamespace: String { "te-\(lab)-vpc" }
    public var internetNamespace: String { "te-\(lab)-net" }
    /// Every namespace of a lab named `lab` starts with this.
    public static func prefix(lab: String) -> String { "te-\(lab)-" }

    public func namespace(_ name: String) -> LabNamespace? { namespaces.first { $0.name == name } }

    public init(plan: Plan, size: LabSize, lab: String = "lab") throws {
        self.lab = lab
        self.plan = plan
        self.size = size
        try addVPC()
        try addDataCenters()
        addInternet()
        try addEdgeNodes()
    }

    // MARK: - The VPC and its instances

    private mutating func addVPC() throws {
        add(vpcNamespace, .vpc, "VPC router")
        forwarding.append(vpcNamespace)
        addresses.append(Address(namespace: vpcNamespace, device: "lo", cidr: "\(Self.cloudAddress)/32"))
        let switches = plan.vpc.vSwitches.compactMap { vsw in vsw.cidrs.first { $0.prefix.family == .v4 }.map { (vsw.name, $0.prefix) } }
        guard !switches.isEmpty else { throw LabError("the lab needs an IPv4 block on at least one vSwitch (ENIs carry IPv4 in the emulator)") }
        // One ECS VM per vSwitch, then the cloud nodes spread over the vSwitches.
        for (index, (name, block)) in switches.enumerated() {
            instances.append(Instance(id: "i-ecs-\(index + 1)", namespace: "te-\(lab)-ecs\(index + 1)", vSwitch: name,
                                      vSwitchCIDR: "\(block)", primaryIP: "\(block.address(at: 10)!)", node: nil))
        }
        for index in 0..<size.cloudNodes {
            let (name, block) = switches[index % switches.count]
            guard let primary = block.address(at: UInt128(20 + index / switches.count)) else {
                throw LabError("vSwitch \(name) (\(block)) is too small for \(size.cloudNodes) cloud nodes")
            }
            instances.append(Instance(id: "i-node-\(index + 1)", namespace: "te-\(lab)-cn\(index + 1)", vSwitch: name,
                                      vSwitchCIDR: "\(block)", primaryIP: "\(primary)", node: "cloud-\(index + 1)"))
        }
        for instance in instances {
            add(instance.namespace, instance.isCloudNode ? .cloudNode : .ecsVM, instance.id)
            if instance.isCloudNode { forwarding.append(instance.namespace) }
        }
        for route in plan.routes(for: .vpc).flatMap(\.routes) {
            guard let dc = plan.dataCenters.firstIndex(where: { $0.name == route.nextHop.dataCenter }),
                  let family = IPPrefix(route.destination)?.family else { continue }
            routes.append(Route(namespace: vpcNamespace, destination: route.destination, via: Self.vbrLinkAddress(dc, family, vbrSide: true),
                                device: "vbr\(dc + 1)", path: route.path))
        }
    }

    // MARK: - VBRs, circuits, data-center routers and their gateways

    /// The VPC–VBR link of data center `dc` (the VPC's router interface): link-local, so it
    /// shares nothing with the plan (the plan's own link-local blocks are circuits, on
    /// another link). IPv4 169.254.250.(4dc+1)/30 on the VPC side; IPv6 fe80::1/fe80::2.
    static func vbrLinkAddress(_ dc: Int, _ family: IPFamily, vbrSide: Bool) -> String {
        family == .v4 ? "169.254.250.\(4 * dc + (vbrSide ? 2 : 1))" : (vbrSide ? "fe80::2" : "fe80::1")
    }

    private mutating func addDataCenters() throws {
        let vbrRoutes = plan.routes(for: .vbr), dcRoutes = plan.routes(for: .dcRouter)
        for (index, dc) in plan.dataCenters.enumerated() {
            let vbr = "te-\(lab)-vbr\(index + 1)", router = "te-\(lab)-dc\(index + 1)"
            add(vbr, .vbr, "VBR of \(dc.name)")
            add(router, .dcRouter, "router of \(dc.name)")
            forwarding += [vbr, router]
            if plan.dataCenters.prefix(index).flatMap({ $0.circuit.links.map(\.cidr.prefix) })
                .contains(where: { $0.overlaps(IPPrefix("169.254.250.0/24")!) })
                || dc.circuit.links.contains(where: { $0.cidr.prefix.overlaps(IPPrefix("169.254.250.0/24")!) }) {
                throw LabError("circuit of \(dc.name) uses 169.254.250.0/24, which the lab keeps for its VPC–VBR links")
            }
            veths.append(Veth(a: End(namespace: vpcNamespace, device: "vbr\(index + 1)"), b: End(namespace: vbr, device: "vpc0")))
            for family in [IPFamily.v4, .v6] {
                let length = family == .v4 ? 30 : 64
                addresses.append(Address(namespace: vpcNamespace, device: "vbr\(index + 1)", cidr: "\(Self.vbrLinkAddress(index, family, vbrSide: false))/\(length)"))
                addresses.append(Address(namespace: vbr, device: "vpc0", cidr: "\(Self.vbrLinkAddress(index, family, vbrSide: true))/\(length)"))
            }
            // Express Connect: the circuit's links, each end the plan's address.
            veths.append(Veth(a: End(namespace: vbr, device: "ec0"), b: End(namespace: router, device: "ec0")))
            for link in dc.circuit.links {
                addresses.append(Address(namespace: vbr, device: "ec0", cidr: "\(link.vbr.address)/\(link.cidr.prefix.length)"))
                addresses.append(Address(namespace: router, device: "ec0", cidr: "\(link.dcRouter.address)/\(link.cidr.prefix.length)"))
            }
            for route in vbrRoutes.filter({ $0.dataCenter == dc.name }).flatMap(\.routes) {
                guard let family = IPPrefix(route.destination)?.family else { continue }
                switch route.nextHop.type {
                case .vpc:
                    routes.append(Route(namespace: vbr, destination: route.destination, via: Self.vbrLinkAddress(index, family, vbrSide: false),
                                        device: "vpc0", path: route.path))
                default:
                    routes.append(Route(namespace: vbr, destination: route.destination, via: route.nextHop.address, device: "ec0", path: route.path))
                }
            }
            let domains = plan.edgeDomains.filter { $0.dataCenter.value == dc.name }
            guard domains.count <= 1 else {
                throw LabError("data center \(dc.name) carries the edge domains \(domains.map(\.name).joined(separator: ", ")): the lab runs one edge gateway (BIRD) per data-center router")
            }
            var own: [String] = []
            for domain in domains {
                var gatewayAddresses: [String] = []
                for (segment, networks) in Self.segments(domain).enumerated() {
                    let bridge = "br\(segment)"
                    bridges.append(Bridge(namespace: router, device: bridge))
                    for network in networks {
                        let cidr = "\(network.gateway.address)/\(network.cidr.prefix.length)"
                        addresses.append(Address(namespace: router, device: bridge, cidr: cidr))
                        gatewayAddresses.append("\(network.gateway.address)")
                    }
                }
                own += gatewayAddresses
                gateways.append(Gateway(namespace: router, domain: domain.name, addresses: gatewayAddresses))
            }
            for route in dcRoutes.filter({ $0.dataCenter == dc.name }).flatMap(\.routes) {
                // "skip if it is this router": the lab's router is the gateway.
                if route.nextHop.type == .gateway, let address = route.nextHop.address, own.contains(address) { continue }
                routes.append(Route(namespace: router, destination: route.destination, via: route.nextHop.address, device: nil, path: route.path))
            }
        }
    }

    /// A domain's node networks grouped into L2 segments: each IPv4 network with the IPv6
    /// network of the same rank (dual-stack nodes on one bridge).
    static func segments(_ domain: Plan.EdgeDomain) -> [[Plan.NodeNetwork]] {
        let v4 = domain.nodeNetworks(of: .v4), v6 = domain.nodeNetworks(of: .v6)
        return (0..<max(v4.count, v6.count)).map { rank in
            (rank < v4.count ? [v4[rank]] : []) + (rank < v6.count ? [v6[rank]] : [])
        }
    }

    // MARK: - The internet

    /// A host outside every cluster range behind each data-center router (its default
    /// route): what a pod reaches masqueraded as its node.
    private mutating func addInternet() {
        add(internetNamespace, .internet, "internet")
        addresses.append(Address(namespace: internetNamespace, device: "lo", cidr: "\(Self.internetHost)/32"))
        for (index, dc) in plan.dataCenters.enumerated() {
            let router = "te-\(lab)-dc\(index + 1)", device = "dc\(index + 1)"
            veths.append(Veth(a: End(namespace: internetNamespace, device: device), b: End(namespace: router, device: "inet0")))
            addresses.append(Address(namespace: internetNamespace, device: device, cidr: "203.0.113.\(4 * index + 1)/30"))
            addresses.append(Address(namespace: router, device: "inet0", cidr: "203.0.113.\(4 * index + 2)/30"))
            routes.append(Route(namespace: router, destination: "default", via: "203.0.113.\(4 * index + 1)", device: "inet0", path: "the internet"))
            let networks = Set(dc.networks.map(\.prefix) + plan.edgeDomains.filter { $0.dataCenter.value == dc.name }
                .flatMap { $0.nodeNetworks.map(\.cidr.prefix) }).filter { $0.family == .v4 }.sorted()
            for network in networks where !dc.networks.map(\.prefix).contains(where: { $0 != network && $0.contains(network) }) {
                routes.append(Route(namespace: internetNamespace, destination: "\(network)", via: "203.0.113.\(4 * index + 2)",
                                    device: device, path: "answers to \(dc.name)"))
            }
        }
    }

    /// Whether `address` is outside every range the cluster routes itself (what is masqueraded).
    public static func isOutsideCluster(_ address: IPAddress, plan: Plan) -> Bool {
        let ranges = plan.edgeDomains.flatMap { $0.podCIDRs.map(\.prefix) } + plan.vpc.cidrs.map(\.prefix)
            + plan.services.cidrs.map(\.prefix) + plan.dataCenters.flatMap { $0.networks.map(\.prefix) }
        return !ranges.contains { $0.contains(address) }
    }

    // MARK: - Edge nodes

    private mutating func addEdgeNodes() throws {
        let domains = plan.edgeDomains
        guard size.edgeNodes == 0 || !domains.isEmpty else { throw LabError("the plan has no edge domains for \(size.edgeNodes) edge nodes") }
        var perDomain = [Int](repeating: 0, count: domains.count)
        for index in 0..<size.edgeNodes {
            let d = index % domains.count, domain = domains[d]
            let rank = perDomain[d]
            perDomain[d] += 1
            guard let dc = plan.dataCenters.firstIndex(where: { $0.name == domain.dataCenter.value }) else {
                throw LabError("edge domain \(domain.name) is behind no data center of the plan")
            }
            let segments = Self.segments(domain)
            let segment = rank % segments.count, host = rank / segments.count
            let name = "edge-\(index + 1)", namespace = "te-\(lab)-en\(index + 1)", router = "te-\(lab)-dc\(dc + 1)"
            var nodeAddresses: [String] = [], gatewayAddresses: [String] = []
            for network in segments[segment] {
                let block = network.cidr.prefix
                // Hosts from the 10th address on, stepping over the gateway's.
                var offset = UInt128(10 + host)
                if let gatewayIndex = block.index(of: network.gateway.address), (10...offset).contains(gatewayIndex) { offset += 1 }
                guard let address = block.address(at: offset), address != block.lastAddress else {
                    throw LabError("node network \(block) of \(domain.name) is too small for \(perDomain[d]) edge nodes")
                }
                nodeAddresses.append("\(address)")
                gatewayAddresses.append("\(network.gateway.address)")
                addresses.append(Address(namespace: namespace, device: "eth0", cidr: "\(address)/\(block.length)"))
                routes.append(Route(namespace: namespace, destination: block.family == .v4 ? "default" : "::/0",
                                    via: "\(network.gateway.address)", device: "eth0", path: "the node's default route: its gateway"))
            }
            add(namespace, .edgeNode, name)
            forwarding.append(namespace)
            veths.append(Veth(a: End(namespace: namespace, device: "eth0"), b: End(namespace: router, device: "en\(index + 1)", bridge: "br\(segment)")))
            edgeNodes.append(EdgeNode(name: name, namespace: namespace, domain: domain.name, addresses: nodeAddresses, gateways: gatewayAddresses))
        }
    }

    private mutating func add(_ name: String, _ role: LabNamespace.Role, _ label: String) {
        namespaces.append(LabNamespace(name: name, role: role, label: label))
    }
}
