import BGPCore
import NetworkCore

/// Which Loc-RIB routes go to one peer, and with what attributes (RFC 4271 §9.1.3, §5.1;
/// RFC 1997 well-known communities). Only prefixes the peer's `export` list accepts go
/// (RFC 8212: none to an eBGP peer without one); of those, originated routes always, learned
/// ones only where `exportLearned` is configured, never back to their source, never iBGP to iBGP.
struct ExportPolicy: Sendable {
    var localAS: UInt32
    var routerID: IPv4Address
    var peer: PeerID
    var isExternal: Bool
    var exportLearned: Bool
    /// nil: nothing is exported.
    var filter: PrefixFilter?
    var families: Set<AddressFamily>
    /// Our address on the session: the next hop we announce (next-hop-self).
    var localAddress: IPAddress
    /// Our next hop for routes of the session's other family (configured, or a global
    /// address on the session's interface); nil falls back to the IPv4-mapped address
    /// or, for IPv4 routes, the session's IPv6 address (RFC 8950, when negotiated) or the
    /// router ID.
    var otherFamilyNextHop: IPAddress?
    /// The peer takes IPv6 next hops for IPv4 routes (RFC 8950).
    var ipv6NextHopForIPv4: Bool

    /// The last result: a table's routes mostly share their (interned) attribute sets,
    /// so the rewrite runs once per set rather than once per prefix.
    private var last: (source: PeerID, family: AddressFamily, input: PathAttributes, output: PathAttributes?)?

    init(localAS: UInt32, routerID: IPv4Address, peer: PeerID, isExternal: Bool, exportLearned: Bool,
         filter: PrefixFilter?, families: Set<AddressFamily>, localAddress: IPAddress, otherFamilyNextHop: IPAddress? = nil,
         ipv6NextHopForIPv4: Bool = false) {
        self.localAS = localAS
        self.routerID = routerID
        self.peer = peer
        self.isExternal = isExternal
        self.exportLearned = exportLearned
        self.filter = filter
        self.families = families
        self.localAddress = localAddress
        self.otherFamilyNextHop = otherFamilyNextHop
        self.ipv6NextHopForIPv4 = ipv6NextHopForIPv4
    }

    /// `sourceIsExternal` is nil for our own routes.
    mutating func attributes(for route: RIBRoute, sourceIsExternal: Bool?) -> PathAttributes? {
        guard route.peer != peer, families.contains(route.prefix.family), let filter,
              filter.acceptsAll || filter.decision(for: route.prefix.prefix)?.accept == true else { return nil }
        let family = route.prefix.family
        if let last, last.source == route.peer, last.family == family, last.input == route.attributes {
            return last.output
        }
        let output = rewrite(route, sourceIsExternal: sourceIsExternal)
        last = (route.peer, family, route.attributes, output)
        return output
    }

    private func rewrite(_ route: RIBRoute, sourceIsExternal: Bool?) -> PathAttributes? {
        var attributes = route.attributes
        if let sourceIsExternal {
            guard exportLearned, sourceIsExternal || isExternal else { return nil }
        }
        if attributes.communities.contains(.noAdvertise) { return nil }
        if isExternal, attributes.communities.contains(.noExport) || attributes.communities.contains(.noExportSubconfed) {
            return nil
        }
        if isExternal {
            attributes.asPath = attributes.asPath.prepending(localAS)
            attributes.localPref = nil
            // MED is not passed on to a third AS (RFC 4271 §5.1.4).
            if sourceIsExternal != nil { attributes.med = nil }
        } else {
            attributes.localPref = attributes.localPref ?? 100
        }
        if isExternal || sourceIsExternal != false || attributes.nextHop == nil {
            attributes.nextHop = nextHopSelf(for: route.prefix)
        }
        attributes.origin = attributes.origin ?? .igp
        // Unknown non-transitive attributes stop here; transitive ones travel on (RFC 4271 §5).
        attributes.unknown = attributes.unknown.filter(\.isTransitive)
        return attributes
    }

    /// Our session address; for the other family `otherFamilyNextHop`, else the
    /// IPv4-mapped address (IPv6 routes over IPv4), or for IPv4 routes over IPv6 the session
    /// address itself where RFC 8950 was negotiated, the router ID where not.
    private func nextHopSelf(for prefix: RIBPrefix) -> NextHop {
        switch (prefix, localAddress, otherFamilyNextHop) {
        case (.v4, .v4(let address), _), (.v4, .v6, .v4(let address)?): .ipv4(address)
        case (.v4, .v6(let address), _) where ipv6NextHopForIPv4: .ipv6(global: address, linkLocal: nil)
        case (.v4, .v6, _): .ipv4(routerID)
        case (.v6, .v6(let address), _), (.v6, .v4, .v6(let address)?): .ipv6(global: address, linkLocal: nil)
        case (.v6, .v4(let address), _):
            .ipv6(global: IPv6Address(0xFFFF_0000_0000 | UInt128(address.value)), linkLocal: nil)
        }
    }
}

extension RIBPrefix {
    var family: AddressFamily {
        switch self {
        case .v4: .ipv4Unicast
        case .v6: .ipv6Unicast
        }
    }
}
