import NetworkCore

/// One cluster's address plan: the cloud side (VPC, vSwitches), the Kubernetes service range,
/// the data centers (each with its own networks and its own Express Connect circuit to the
/// VPC) and the edge domains behind them. Every block and address remembers where it was
/// written so that findings can point at the line.
///
/// The model other parts read: `dataCenters[i].circuit` says how a data center reaches the
/// VPC (the VBR's and the DC router's address per family), `edgeDomains[j].dataCenter` which
/// circuit a domain is behind, and `edgeDomains[j].nodeNetworks` where its nodes are and the
/// gateway's address on each. `paths` derives every cross-domain path from them.
public struct Plan: Hashable, Sendable {
    public var name: String?
    /// Warn when a capacity exceeds its need by less than this percentage.
    public var headroomPercent: Int
    public var vpc: VPC
    public var services: Services
    public var dataCenters: [DataCenter]
    public var edgeDomains: [EdgeDomain]

    /// The cloud side: cloud nodes and their pods take addresses from the vSwitches (Terway ENI mode).
    public struct VPC: Hashable, Sendable {
        public var cidrs: [PlanBlock]
        public var vSwitches: [VSwitch]
        public var cloudNodes: Int
        public var podsPerCloudNode: Int
        /// The cloud nodes' ECS instance type; when it is in `ENICapacity.known`, pods per node
        /// are checked against what its ENIs can hold.
        public var instanceType: PlanValue<String>?
        /// The instance type's ENI figures as DescribeInstanceTypes gives them; they take the
        /// place of the built-in table.
        public var eniCapacity: PlanValue<ENICapacity>?
        /// Custom route entries the VPC route table may hold: Alibaba Cloud's default quota is
        /// 200; set the raised figure when Quota Center granted more.
        public var routeEntryQuota: PlanValue<Int>?

        public static let defaultRouteEntryQuota = 200
    }

    public struct VSwitch: Hashable, Sendable {
        public var name: String
        public var cidrs: [PlanBlock]
    }

    /// The Kubernetes service (cluster IP) range, one block per family.
    public struct Services: Hashable, Sendable {
        public var cidrs: [PlanBlock]
        public var expectedServices: Int
    }

    /// One data center: its own networks (servers, edge nodes) and its Express Connect circuit.
    public struct DataCenter: Hashable, Sendable {
        public var name: String
        /// The data center's own networks; edge node networks of its domains may lie inside them.
        public var networks: [PlanBlock]
        public var circuit: Circuit
        /// Where the data center starts in the file.
        public var field: String
        public var line: Int
    }

    /// An Express Connect circuit between a VBR (cloud side) and the data center's router.
    public struct Circuit: Hashable, Sendable {
        /// At most one link per family: the VBR's and the DC router's addresses on the circuit.
        public var links: [Link]

        public struct Link: Hashable, Sendable {
            public var cidr: PlanBlock
            public var vbr: PlanAddress
            public var dcRouter: PlanAddress
        }

        public func link(for family: IPFamily) -> Link? {
            links.first { $0.cidr.prefix.family == family }
        }
    }

    /// One edge domain: its pod CIDRs, split into one subnet per node, the networks its nodes
    /// are on (each with the gateway's address there), and the gateway's BGP settings.
    public struct EdgeDomain: Hashable, Sendable {
        public var name: String
        /// The data center (by name) whose circuit carries this domain's traffic to the VPC.
        public var dataCenter: PlanValue<String>
        public var podCIDRs: [PlanBlock]
        /// The length of each node's pod subnet, per family (`10.0.N.0/24`).
        public var nodeSubnetLength: [IPFamily: PlanValue<Int>]
        /// Where the edge nodes' own addresses live; the gateway peers with nodes on each.
        public var nodeNetworks: [NodeNetwork]
        public var edgeNodes: Int
        public var podsPerEdgeNode: Int
        public var gateway: Gateway
        /// Where the domain starts in the file, for findings about the domain as a whole.
        public var field: String
        public var line: Int

        public func podCIDRs(of family: IPFamily) -> [PlanBlock] {
            podCIDRs.filter { $0.prefix.family == family }
        }

        public func nodeNetworks(of family: IPFamily) -> [NodeNetwork] {
            nodeNetworks.filter { $0.cidr.prefix.family == family }
        }

        /// The families this domain's pods use, IPv4 first.
        public var families: [IPFamily] {
            IPFamily.allCases.filter { !podCIDRs(of: $0).isEmpty }
        }

        /// The BGP router ID: the plan's, else the gateway's first IPv4 address.
        public var routerID: IPv4Address? {
            gateway.routerID ?? nodeNetworks.lazy.compactMap { if case .v4(let a) = $0.gateway.address { a } else { nil } }.first
        }
    }

    /// A network the edge nodes are on, and the gateway's address on it: the nodes there peer
    /// with that address, one hop away.
    public struct NodeNetwork: Hashable, Sendable {
        public var cidr: PlanBlock
        public var gateway: PlanAddress
    }

    /// The BGP gateway of an edge domain (the edge vSwitch or the DC gateway).
    public struct Gateway: Hashable, Sendable {
        public var asn: PlanValue<UInt32>
        public var nodesASN: PlanValue<UInt32>
        public var routerID: IPv4Address?
        /// TCP MD5 (RFC 2385) key for the sessions with the nodes.
        public var password: String?
        /// GTSM (RFC 5082): accept only packets sent from one hop away.
        public var gtsm: Bool
        /// Announce the VPC CIDRs to the nodes.
        public var exportVPCRoutes: Bool
        /// What the nodes announce, so what the gateway accepts from them.
        public var nodesAdvertise: NodeAdvertisement
    }
}

extension Plan {
    /// `count` plus the plan's headroom, rounded up: what a block should hold to pass without a warning.
    public func withHeadroom(_ count: Int) -> Int {
        count + (count * headroomPercent + 99) / 100
    }

    /// The data center a domain is behind; nil when it names none of the plan's (a check error).
    public func dataCenter(of domain: EdgeDomain) -> DataCenter? {
        dataCenters.first { $0.name == domain.dataCenter.value }
    }

    /// The edge domains behind a data center's circuit, in file order.
    public func edgeDomains(behind dataCenter: DataCenter) -> [EdgeDomain] {
        edgeDomains.filter { $0.dataCenter.value == dataCenter.name }
    }

    /// The families the VPC has a block of.
    var vpcFamilies: Set<IPFamily> {
        Set(vpc.cidrs.map(\.prefix.family))
    }
}
