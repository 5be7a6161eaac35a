import NetworkCore

/// One cluster's address plan: the cloud side (VPC, vSwitches), the edge domains, the
/// Kubernetes service range, the data center's own networks and the Express Connect link
/// between VBR and DC router. Every block and address remembers where it was written so
/// that findings can point at the line.
public struct Plan: Hashable, Sendable {
    public var name: String?
    /// Warn when a capacity exceeds its need by less than this percentage.
    public var headroomPercent: Int
    public var vpc: VPC
    public var services: Services
    public var dataCenterNetworks: [PlanBlock]
    public var expressConnect: ExpressConnect
    public var edgeDomains: [EdgeDomain]

    /// The cloud side: cloud nodes and their pods take addresses from the vSwitches (Terway ENI mode).
    public struct VPC: Hashable, Sendable {
        public var cidrs: [PlanBlock]
        public var vSwitches: [VSwitch]
        public var cloudNodes: Int
        public var podsPerCloudNode: Int
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

    public struct ExpressConnect: Hashable, Sendable {
        /// At most one link per family: the VBR's and the DC router's addresses on the circuit.
        public var links: [Link]
        /// Also route the service CIDRs from the data center to the VPC.
        public var routeServiceCIDRs: Bool

        public struct Link: Hashable, Sendable {
            public var cidr: PlanBlock
            public var vbr: PlanAddress
            public var dcRouter: PlanAddress
        }

        public func link(for family: IPFamily) -> Link? {
            links.first { $0.cidr.prefix.family == family }
        }
    }

    /// One edge data center: its pod CIDRs, split into one subnet per node, and the BGP
    /// gateway the nodes peer with.
    public struct EdgeDomain: Hashable, Sendable {
        public var name: String
        public var podCIDRs: [PlanBlock]
        /// The length of each node's pod subnet, per family (`10.0.N.0/24`).
        public var nodeSubnetLength: [IPFamily: PlanValue<Int>]
        /// Where the edge nodes' own addresses live (the BGP peers of the gateway).
        public var nodeNetworks: [PlanBlock]
        public var edgeNodes: Int
        public var podsPerEdgeNode: Int
        public var gateway: Gateway
        /// Where the domain starts in the file, for findings about the domain as a whole.
        public var field: String
        public var line: Int

        public func podCIDRs(of family: IPFamily) -> [PlanBlock] {
            podCIDRs.filter { $0.prefix.family == family }
        }

        /// The families this domain's pods use, IPv4 first.
        public var families: [IPFamily] {
            IPFamily.allCases.filter { !podCIDRs(of: $0).isEmpty }
        }
    }

    public struct Gateway: Hashable, Sendable {
        /// One address per family the gateway speaks BGP on.
        public var addresses: [PlanAddress]
        public var asn: PlanValue<UInt32>
        public var nodesASN: PlanValue<UInt32>
        public var routerID: IPv4Address?
        /// TCP MD5 (RFC 2385) key for the sessions with the nodes.
        public var password: String?
        /// GTSM (RFC 5082): accept only packets sent from one hop away.
        public var gtsm: Bool
        /// Announce the VPC CIDRs to the nodes.
        public var exportVPCRoutes: Bool

        public func address(for family: IPFamily) -> PlanAddress? {
            addresses.first { $0.address.family == family }
        }
    }
}

extension Plan {
    /// `count` plus the plan's headroom, rounded up: what a block should hold to pass without a warning.
    public func withHeadroom(_ count: Int) -> Int {
        count + (count * headroomPercent + 99) / 100
    }
}
