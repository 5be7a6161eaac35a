import NetworkCore

/// What the edge gateway's BGP configuration must say for one domain, independent of the
/// daemon: one passive session set per family, accepting from the nodes only their node
/// subnets (or the domain aggregate), and optionally announcing the VPC back to them.
/// `BIRDConfig` and `FRRConfig` only spell it out.
public struct GatewayPolicy: Hashable, Sendable {
    public var planName: String
    public var domain: String
    /// A name safe as a BIRD symbol and an FRR word: letters, digits and `_`.
    public var tag: String
    public var routerID: IPv4Address
    public var asn: UInt32
    public var nodesASN: UInt32
    public var password: String?
    public var gtsm: Bool
    public var sessions: [Session]
    /// Dynamic peers to admit at once: every edge node on every family, with the headroom.
    public var maxPeers: Int

    public struct Session: Hashable, Sendable {
        public var family: IPFamily
        public var localAddress: IPAddress
        /// The edge nodes' networks: one dynamic (listen) range each.
        public var peerRanges: [IPPrefix]
        /// Pod CIDRs with the node subnet length the nodes announce them in.
        public var accepted: [Accepted]
        /// Per-session prefix limit (see `GatewayPolicy.init`).
        public var maxPrefixes: Int
        /// VPC CIDRs announced to the nodes; empty when the plan does not export them.
        public var exported: [IPPrefix]
    }

    /// A pod CIDR and the length of the node subnets the nodes announce from it.
    public struct Accepted: Hashable, Sendable {
        public var block: IPPrefix
        public var nodeSubnetLength: Int

        public init(block: IPPrefix, nodeSubnetLength: Int) {
            self.block = block
            self.nodeSubnetLength = nodeSubnetLength
        }
    }

    public enum RenderError: Error, Hashable, Sendable, CustomStringConvertible {
        case unknownDomain(String, known: [String])
        case ambiguousDomain(known: [String])
        case unsoundPlan(domain: String)

        public var description: String {
            switch self {
            case .unknownDomain(let name, let known): "no edge domain '\(name)'; the plan has \(known.joined(separator: ", "))"
            case .ambiguousDomain(let known): "the plan has several edge domains; pick one with --domain (\(known.joined(separator: ", ")))"
            case .unsoundPlan(let domain): "the gateway of \(domain) cannot be configured until `plan check` reports no errors for it"
            }
        }
    }

    /// The policy of the domain named `domain` (optional when the plan has one domain).
    ///
    /// The prefix limit counts per session in both daemons (each dynamic peer is its own
    /// session), yet it is sized for the whole domain, edge nodes plus aggregates with the
    /// plan's headroom: a node that announces the aggregate or takes over a failed node's
    /// subnet never trips it, while a node leaking a full table is cut off.
    public init(plan: Plan, domain name: String?) throws(RenderError) {
        let names = plan.edgeDomains.map(\.name)
        let domain: Plan.EdgeDomain
        if let name {
            guard let found = plan.edgeDomains.first(where: { $0.name == name }) else { throw .unknownDomain(name, known: names) }
            domain = found
        } else {
            guard plan.edgeDomains.count == 1 else { throw .ambiguousDomain(known: names) }
            domain = plan.edgeDomains[0]
        }
        // Configs are rendered only from plans whose findings leave this gateway sound.
        let gatewayKinds: Set<Finding.Kind> = [.gatewayAddressMissing, .gatewayOutsideNodeNetworks, .routerIDMissing, .invalidAS, .sameAS, .nodeSubnetLengthInvalid]
        let blocking = PlanChecker.check(plan).contains { finding in
            finding.severity == .error && gatewayKinds.contains(finding.kind)
                && finding.subjects.contains { $0.field.hasPrefix(domain.field + ".") || $0.field == domain.field }
        }
        guard !blocking, let id = domain.gateway.routerID ?? domain.gateway.address(for: .v4).flatMap({ if case .v4(let a) = $0.address { a } else { nil } })
        else { throw .unsoundPlan(domain: domain.name) }

        planName = plan.name ?? "plan"
        self.domain = domain.name
        tag = String(domain.name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        routerID = id
        asn = domain.gateway.asn.value
        nodesASN = domain.gateway.nodesASN.value
        password = domain.gateway.password
        gtsm = domain.gateway.gtsm
        let peers = domain.edgeNodes * domain.families.count
        maxPeers = min(65535, max(1, plan.withHeadroom(peers)))
        sessions = domain.families.map { family in
            let pods = domain.podCIDRs(of: family)
            let announced = domain.edgeNodes + pods.count
            return Session(
                family: family,
                localAddress: domain.gateway.address(for: family)!.address,
                peerRanges: domain.nodeNetworks.map(\.prefix).filter { $0.family == family },
                accepted: pods.map { Accepted(block: $0.prefix, nodeSubnetLength: domain.nodeSubnetLength[family]!.value) },
                maxPrefixes: plan.withHeadroom(announced),
                exported: domain.gateway.exportVPCRoutes ? plan.vpc.cidrs.map(\.prefix).filter { $0.family == family } : [])
        }
    }
}
