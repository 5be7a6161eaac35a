/// UPDATE (RFC 4271 §4.3, RFC 4760): IPv4 withdrawals and NLRI in the classic fields, other
/// families (and IPv4 too, if a peer wishes) in MP_REACH_NLRI / MP_UNREACH_NLRI.
public struct UpdateMessage: Hashable, Sendable {
    public var withdrawn: [IPv4NLRI]
    /// The attributes the reachable prefixes share. MP_REACH / MP_UNREACH live in their own
    /// fields, because they carry prefixes, not route properties.
    public var attributes: PathAttributes
    public var nlri: [IPv4NLRI]
    public var mpReach: MPReachNLRI?
    public var mpUnreach: MPUnreachNLRI?
    /// Errors the decoder downgraded by RFC 7606 (never `.sessionReset`). When any is
    /// `.treatAsWithdraw`, every prefix of the message must be handled as withdrawn.
    public var errors: [BGPMessageError]

    public init(withdrawn: [IPv4NLRI] = [], attributes: PathAttributes = PathAttributes(),
                nlri: [IPv4NLRI] = [], mpReach: MPReachNLRI? = nil, mpUnreach: MPUnreachNLRI? = nil,
                errors: [BGPMessageError] = []) {
        self.withdrawn = withdrawn
        self.attributes = attributes
        self.nlri = nlri
        self.mpReach = mpReach
        self.mpUnreach = mpUnreach
        self.errors = errors
    }

    /// RFC 7606 says the reachable prefixes of this message are to be withdrawn.
    public var isTreatAsWithdraw: Bool { errors.contains { $0.action == .treatAsWithdraw } }

    /// End-of-RIB marker (RFC 4724 §2): an empty UPDATE for IPv4 unicast, or an UPDATE with
    /// only an empty MP_UNREACH_NLRI for another family.
    public var endOfRIB: AddressFamily? {
        guard withdrawn.isEmpty, nlri.isEmpty, mpReach == nil else { return nil }
        if let unreach = mpUnreach {
            return unreach.prefixes.isEmpty && attributes == PathAttributes() ? unreach.family : nil
        }
        return attributes == PathAttributes() ? .ipv4Unicast : nil
    }

    public static func endOfRIB(_ family: AddressFamily) -> UpdateMessage {
        switch family {
        case .ipv4Unicast: UpdateMessage()
        case .ipv6Unicast: UpdateMessage(mpUnreach: MPUnreachNLRI(family: family, prefixes: .ipv6([])))
        default: UpdateMessage(mpUnreach: MPUnreachNLRI(family: family, prefixes: .other([])))
        }
    }
}
