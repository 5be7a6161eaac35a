import NetworkCore

/// What the edge gateway's BGP configuration must say for one domain, independent of the
/// daemon: one passive session set per family, a dynamic peer range per node network with
/// the gateway's own address there, accepting from each node only node subnets with the node
/// itself as next hop (or only the domain's pod CIDRs whole, when the plan says the nodes
/// announce the aggregate), and optionally announcing the VPC back. `BIRDConfig` and `FRRConfig`
/// only spell it out.
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
    /// FRR enforces it (`bgp listen limit`); BIRD has no such limit, its config says so.
    public var maxPeers: Int

    /// Prefixes one node may announce per family: its own node subnet, and one more while a
    /// new lease replaces the old. A node announcing more is cut off (and retried).
    public static let prefixesPerNode = 2

    public struct Session: Hashable, Sendable {
        public var family: IPFamily
        /// The node networks of this family: nodes peer from each with the gateway's address on it.
        public var ranges: [PeerRange]
        /// Pod CIDRs with the length the nodes announce them in.
        public var accepted: [Accepted]
        /// Per-peer prefix limit: `prefixesPerNode`.
        public var maxPrefixes: Int
        /// VPC CIDRs announced to the nodes; empty when the plan does not export them.
        public var exported: [IPPrefix]
    }

    /// A node network and the gateway's address on it (the sessions' local address).
    public struct PeerRange: Hashable, Sendable {
        public var range: IPPrefix
        public var localAddress: IPAddress
    }

    /// A pod CIDR and the length of what the nodes announce from it: the node subnet
    /// length, or the block's own length when they announce the domain aggregate.
    public struct Accepted: Hashable, Sendable {
        public var block: IPPrefix
        public var length: Int

        public init(block: IPPrefix, length: Int) {
            self.block = block
            self.length = length
        }

        /// The block itself, not node subnets of it.
        public var isAggregate: Bool { length == block.length }
    }

    /// What the rendered policy cannot check, said in the config's comments: which node holds
    /// which subnet lives in the lease store, not in the plan.
    public var unchecked: [String] {
        var notes = ["which node holds which node subnet: leases are given out at run time, so a node may announce another node's subnet (the lease store is the authority)"]
        if password == nil { notes.append("who may open a session: TCP-MD5 is off, so any host on a node network can peer and announce node subnets") }
        return notes
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
        let gatewayKinds: Set<Finding.Kind> = [.gatewayAddressMissing, .gatewayOutsideNodeNetworks, .gatewayAddressInvalid, .routerIDMissing,
                                               .invalidAS, .sameAS, .nodeSubnetLengthInvalid]
        let blocking = PlanChecker.check(plan).contains { finding in
            finding.severity == .error && gatewayKinds.contains(finding.kind)
                && finding.subjects.contains { $0.field.hasPrefix(domain.field + ".") || $0.field == domain.field }
        }
        guard !blocking, let id = domain.routerID else { throw .unsoundPlan(domain: domain.name) }

        planName = plan.name ?? "plan"
        self.domain = domain.name
        tag = String(domain.name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        routerID = id
        asn = domain.gateway.asn.value
        nodesASN = domain.gateway.nodesASN.value
        password = domain.gateway.password
        gtsm = domain.gateway.gtsm
        maxPeers = min(65535, max(1, plan.withHeadroom(domain.edgeNodes * domain.families.count)))
        sessions = domain.families.map { family in
            Session(
                family: family,
                ranges: domain.nodeNetworks(of: family).map { PeerRange(range: $0.cidr.prefix, localAddress: $0.gateway.address) },
                accepted: domain.podCIDRs(of: family).map { block in
                    Accepted(block: block.prefix, length: domain.gateway.nodesAdvertise == .domainAggregate
                        ? block.prefix.length : domain.nodeSubnetLength[family]!.value)
                },
                maxPrefixes: Self.prefixesPerNode,
                exported: domain.gateway.exportVPCRoutes ? plan.vpc.cidrs.map(\.prefix).filter { $0.family == family } : [])
        }
    }
}
