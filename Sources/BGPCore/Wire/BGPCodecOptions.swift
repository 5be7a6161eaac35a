/// What the two speakers negotiated in their OPENs, which changes how UPDATEs are laid out
/// and checked. Passed to every decode and encode (GoBGP's MarshallingOption, as a value).
public struct BGPCodecOptions: Hashable, Sendable {
    /// Both sides sent the 4-octet AS capability (RFC 6793): AS_PATH and AGGREGATOR carry
    /// 4-octet AS numbers and AS4_PATH/AS4_AGGREGATOR are neither sent nor honoured.
    public var fourOctetAS: Bool
    /// The address families both sides announced (RFC 4760). IPv4 unicast is implied when a
    /// peer sends no multiprotocol capability at all; the session layer decides that.
    public var families: Set<AddressFamily>
    /// The peer is in another AS: LOCAL_PREF from it is discarded (RFC 7606 §7.5) and, when
    /// `peerAS` is set, the first AS of its AS_PATH must be the peer's (RFC 4271 §6.3).
    public var isExternal: Bool
    /// The peer's AS for the first-AS check; nil skips it (route servers do not prepend).
    public var peerAS: UInt32?
    /// Both sides sent the Extended Message capability (RFC 8654): messages other than OPEN
    /// and KEEPALIVE may be up to 65535 octets.
    public var extendedMessage: Bool
    /// Families whose NLRI may carry an IPv6 next hop: both sides announced the tuple in the
    /// Extended Next Hop capability (RFC 8950). Without it an IPv4 route's MP_REACH next
    /// hop must be 4 octets.
    public var ipv6NextHopFamilies: Set<AddressFamily>

    /// The largest message this session accepts and sends.
    public var maxMessageLength: Int { extendedMessage ? BGPHeader.maxExtendedMessageLength : BGPHeader.maxMessageLength }

    public init(fourOctetAS: Bool = true,
                families: Set<AddressFamily> = [.ipv4Unicast, .ipv6Unicast],
                isExternal: Bool = true,
                peerAS: UInt32? = nil,
                extendedMessage: Bool = false,
                ipv6NextHopFamilies: Set<AddressFamily> = []) {
        self.fourOctetAS = fourOctetAS
        self.families = families
        self.isExternal = isExternal
        self.peerAS = peerAS
        self.extendedMessage = extendedMessage
        self.ipv6NextHopFamilies = ipv6NextHopFamilies
    }
}
