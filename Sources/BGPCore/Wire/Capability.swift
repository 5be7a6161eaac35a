/// A capability inside the OPEN's Capabilities optional parameter (RFC 5492).
public enum Capability: Hashable, Sendable {
    /// Code 1, RFC 4760.
    case multiprotocol(AddressFamily)
    /// Code 2, RFC 2918.
    case routeRefresh
    /// Code 5, RFC 8950: NLRI of these families may carry a next hop of another family
    /// (IPv4 routes through an IPv6 next hop).
    case extendedNextHop([ExtendedNextHop])
    /// Code 6, RFC 8654: UPDATEs (and others but OPEN/KEEPALIVE) up to 65535 octets.
    case extendedMessage
    /// Code 64, RFC 4724.
    case gracefulRestart(GracefulRestartCapability)
    /// Code 65, RFC 6793: the speaker's real AS.
    case fourOctetAS(UInt32)
    /// Anything else, kept as received so it can be logged or echoed.
    case unknown(code: UInt8, value: [UInt8])

    public var code: UInt8 {
        switch self {
        case .multiprotocol: 1
        case .routeRefresh: 2
        case .extendedNextHop: 5
        case .extendedMessage: 6
        case .gracefulRestart: 64
        case .fourOctetAS: 65
        case .unknown(let code, _): code
        }
    }
}

/// One tuple of the Extended Next Hop Encoding capability (RFC 8950 §3): NLRI of `family`
/// may carry a next hop of address family `nextHopAFI`.
public struct ExtendedNextHop: Hashable, Sendable {
    public var family: AddressFamily
    public var nextHopAFI: UInt16

    public init(family: AddressFamily, nextHopAFI: UInt16) {
        self.family = family
        self.nextHopAFI = nextHopAFI
    }

    /// IPv4 unicast routes through IPv6 next hops: the case RFC 8950 exists for.
    public static let ipv4OverIPv6 = ExtendedNextHop(family: .ipv4Unicast, nextHopAFI: AddressFamily.ipv6Unicast.afi)
}

/// The graceful restart capability (RFC 4724 §3).
public struct GracefulRestartCapability: Hashable, Sendable {
    /// R bit: the sender has restarted and is keeping routes it had.
    public var restarting: Bool
    /// N bit (RFC 8538): the sender does graceful restart on NOTIFICATION too.
    public var notification: Bool
    /// Seconds the peer should wait for the session to return; 12 bits.
    public var restartTime: UInt16
    public var families: [Family]

    public struct Family: Hashable, Sendable {
        public var family: AddressFamily
        /// F bit: forwarding state for this family survived the restart.
        public var forwardingPreserved: Bool

        public init(family: AddressFamily, forwardingPreserved: Bool) {
            self.family = family
            self.forwardingPreserved = forwardingPreserved
        }
    }

    public init(restarting: Bool = false, notification: Bool = false, restartTime: UInt16,
                families: [Family] = []) {
        self.restarting = restarting
        self.notification = notification
        self.restartTime = min(restartTime, 0x0FFF)
        self.families = families
    }
}
