/// The special-purpose blocks of the IANA registries (RFC 6890 and its updates) that matter
/// when planning a private network: which blocks are meant for private use, which must never
/// be routed at all, and which are somebody else's public space.
public enum AddressSpace: String, Hashable, Sendable, CaseIterable {
    /// RFC 1918 (10/8, 172.16/12, 192.168/16): private, free to use inside one organization.
    case privateUse
    /// RFC 6598 (100.64/10): carrier-grade NAT space, used privately by many clouds and DCs.
    case sharedAddressSpace
    /// RFC 4193 (fc00::/7): IPv6 unique local addresses.
    case uniqueLocal
    /// RFC 5737 / RFC 3849 documentation blocks: for examples only, never on a network.
    case documentation
    /// RFC 2544 (198.18/15): benchmarking between devices.
    case benchmarking
    /// Loopback, link-local, multicast, "this network", reserved (240/4) and similar blocks:
    /// they cannot hold pods, nodes or routes.
    case notRoutable
    /// Everything else: globally routable space that belongs to whoever the registries gave it.
    case publicSpace

    /// True for the blocks a cluster may use without owning them publicly.
    public var isPrivate: Bool {
        self == .privateUse || self == .sharedAddressSpace || self == .uniqueLocal
    }
}

extension IPPrefix {
    /// The special-purpose blocks, most specific first so that the first containing entry wins.
    private static let specialPurpose: [(IPPrefix, AddressSpace)] = ([
        ("0.0.0.0/8", .notRoutable),          // RFC 791 "this network"
        ("10.0.0.0/8", .privateUse),
        ("100.64.0.0/10", .sharedAddressSpace),
        ("127.0.0.0/8", .notRoutable),        // loopback
        ("169.254.0.0/16", .notRoutable),     // link-local
        ("172.16.0.0/12", .privateUse),
        ("192.0.0.0/24", .notRoutable),       // IETF protocol assignments
        ("192.0.2.0/24", .documentation),     // TEST-NET-1
        ("192.168.0.0/16", .privateUse),
        ("198.18.0.0/15", .benchmarking),
        ("198.51.100.0/24", .documentation),  // TEST-NET-2
        ("203.0.113.0/24", .documentation),   // TEST-NET-3
        ("224.0.0.0/4", .notRoutable),        // multicast
        ("240.0.0.0/4", .notRoutable),        // reserved, includes 255.255.255.255
        ("::/127", .notRoutable),             // unspecified and loopback
        ("::ffff:0:0/96", .notRoutable),      // IPv4-mapped
        ("100::/64", .notRoutable),           // discard-only
        ("2001:db8::/32", .documentation),
        ("fc00::/7", .uniqueLocal),
        ("fe80::/10", .notRoutable),          // link-local
        ("ff00::/8", .notRoutable),           // multicast
    ] as [(String, AddressSpace)]).map { (IPPrefix($0.0)!, $0.1) }

    /// The kind of space the whole block lies in. A block that holds a not-routable block
    /// (0.0.0.0/0 holds loopback) is not routable as a whole; one that straddles any other
    /// boundary (172.0.0.0/8 holds 172.16/12 and public space) counts as public: part of it
    /// is someone else's.
    public var addressSpace: AddressSpace {
        for (block, space) in Self.specialPurpose where block.contains(self) {
            return space
        }
        if Self.specialPurpose.contains(where: { self.contains($0.0) && $0.1 == .notRoutable }) {
            return .notRoutable
        }
        return .publicSpace
    }
}
