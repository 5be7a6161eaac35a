import NetworkCore

/// OPEN (RFC 4271 §4.2) with its capabilities (RFC 5492), the only optional parameter in use.
public struct OpenMessage: Hashable, Sendable {
    public var version: UInt8
    /// The 2-octet "My Autonomous System" field: AS_TRANS (23456) when the real AS is larger.
    public var myAS: UInt16
    public var holdTime: UInt16
    public var bgpIdentifier: IPv4Address
    public var capabilities: [Capability]

    public init(version: UInt8 = 4, myAS: UInt16, holdTime: UInt16,
                bgpIdentifier: IPv4Address, capabilities: [Capability]) {
        self.version = version
        self.myAS = myAS
        self.holdTime = holdTime
        self.bgpIdentifier = bgpIdentifier
        self.capabilities = capabilities
    }

    /// An OPEN for `asNumber`, filling the 2-octet field with AS_TRANS when it does not fit
    /// and always announcing the 4-octet AS capability (RFC 6793 §4.1).
    public init(asNumber: UInt32, holdTime: UInt16, bgpIdentifier: IPv4Address,
                capabilities: [Capability]) {
        let twoOctet = asNumber <= UInt32(UInt16.max) ? UInt16(asNumber) : ASPath.asTrans
        var caps = capabilities.filter { if case .fourOctetAS = $0 { false } else { true } }
        caps.append(.fourOctetAS(asNumber))
        self.init(myAS: twoOctet, holdTime: holdTime, bgpIdentifier: bgpIdentifier, capabilities: caps)
    }

    /// The speaker's real AS: from the 4-octet AS capability when present.
    public var asNumber: UInt32 {
        for case .fourOctetAS(let asn) in capabilities { return asn }
        return UInt32(myAS)
    }

    public var supportsFourOctetAS: Bool {
        capabilities.contains { if case .fourOctetAS = $0 { true } else { false } }
    }

    public var supportsRouteRefresh: Bool { capabilities.contains(.routeRefresh) }
    public var supportsExtendedMessage: Bool { capabilities.contains(.extendedMessage) }

    /// The RFC 8950 tuples announced (empty without the capability).
    public var extendedNextHops: [ExtendedNextHop] {
        capabilities.flatMap { capability -> [ExtendedNextHop] in
            if case .extendedNextHop(let tuples) = capability { tuples } else { [] }
        }
    }

    /// The multiprotocol families announced; empty when the peer sent none (then IPv4 unicast
    /// is implied, RFC 4760 §8).
    public var families: [AddressFamily] {
        capabilities.compactMap { if case .multiprotocol(let f) = $0 { f } else { nil } }
    }

    public var gracefulRestart: GracefulRestartCapability? {
        for case .gracefulRestart(let gr) in capabilities { return gr }
        return nil
    }
}
