/// One problem `plan check` found: what is wrong, which blocks of the plan are involved,
/// which of the seed's precautions it breaks, and what to change.
public struct Finding: Hashable, Sendable {
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        /// The plan cannot work as written.
        case error
        /// The plan works but is risky: public space, thin headroom, sessions without MD5,
        /// domains that cannot talk to each other by design.
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case overlap
        case duplicateName
        case vSwitchOutsideVPC
        case vpcCIDRNotAllowed
        case nodeSubnetLengthInvalid
        case nodeSubnetsTooFew
        case nodeSubnetTooSmall
        case vSwitchesTooSmall
        case serviceCIDRTooSmall
        case serviceCIDRTooLarge
        case notRoutableAddressSpace
        case publicAddressSpace
        case lowHeadroom
        case gatewayAddressMissing
        case gatewayOutsideNodeNetworks
        case routerIDMissing
        case invalidAS
        case sameAS
        case linkAddressInvalid
        case linkMissing
        case alibabaReservedSpace
        case gatewayAddressInvalid
        case nodeNetworksTooSmall
        case vSwitchSizeNotAllowed
        case eniCapacityExceeded
        case instanceTypeUnknown
        case vpcRouteQuotaExceeded
        case unknownDataCenter
        case pathNotCarried
        case sessionsUnauthenticated
    }

    /// A block (or address) of the plan, named by its role and by where it is written.
    public struct Subject: Hashable, Sendable, Codable {
        /// What the block is for, in words: "edge pods of dc1", "vSwitch vsw-a".
        public var role: String
        /// The field path in the plan file: `edgeDomains[0].podCIDRs[0]`.
        public var field: String
        public var line: Int
        /// The block or address as written, normalized (`10.0.0.0/16`).
        public var value: String

        public init(role: String, field: String, line: Int, value: String) {
            self.role = role
            self.field = field
            self.line = line
            self.value = value
        }
    }

    public var severity: Severity
    public var kind: Kind
    /// One subject for size and address findings, two for overlaps.
    public var subjects: [Subject]
    /// The seed's precaution this breaks, quoted; nil for rules the seed does not state.
    public var precaution: Precaution?
    public var message: String
    public var hint: String

    public init(_ severity: Severity, _ kind: Kind, _ subjects: [Subject], precaution: Precaution?, message: String, hint: String) {
        self.severity = severity
        self.kind = kind
        self.subjects = subjects
        self.precaution = precaution
        self.message = message
        self.hint = hint
    }
}

extension Finding: Comparable {
    /// Errors first, then by kind, then by where the first subject is written.
    public static func < (lhs: Finding, rhs: Finding) -> Bool {
        if lhs.severity != rhs.severity { return lhs.severity < rhs.severity }
        if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
        let left = lhs.subjects.map { "\($0.field)\u{0}\($0.value)" }, right = rhs.subjects.map { "\($0.field)\u{0}\($0.value)" }
        if left != right { return left.lexicographicallyPrecedes(right) }
        return lhs.message < rhs.message
    }
}

/// The seed's precautions and statements a plan can break, quoted from the Terway Edge page.
public enum Precaution: String, Hashable, Sendable, Codable, CaseIterable {
    case containerCIDRsDoNotOverlap
    case crossDomainRoutes
    case evenlyDividedPodCIDR
    case cloudPodsUseVPCAddresses
    case gatewayPeersWithNodes

    public var quote: String {
        switch self {
        case .containerCIDRsDoNotOverlap:
            "make sure that the container CIDR block does not overlap with any other CIDR blocks"
        case .crossDomainRoutes:
            "configure routes to the CIDR block of cloud containers and connect to VBRs through Express Connect circuits"
        case .evenlyDividedPodCIDR:
            "The CIDR block of pods is evenly divided and allocated to the nodes in the cluster"
        case .cloudPodsUseVPCAddresses:
            "This plug-in assigns IP addresses within a VPC to pods"
        case .gatewayPeersWithNodes:
            "the gateway device at the edge (vSwitch) must support BGP and have the capability to configure BGP peers with nodes in the cluster"
        }
    }
}
