import BGPCore
import NIOCore
import NetworkCore

/// What `bgp peers` and `bgp routes` show. Peers are read on the speaker's loop; route
/// listings from a copy of the RIB taken there, and built off the loop.
extension BGPSpeaker {
    public func peerStatuses() async throws -> [PeerStatus] {
        try await loop.submit { self.sessions.map(self.status) }.get()
    }

    /// The Loc-RIB, optionally only the routes inside `prefix`, sorted by prefix.
    public func routes(inside prefix: IPPrefix? = nil) async throws -> [RouteStatus] {
        let listing = try await routeListing(inside: prefix)
        return listing.prefixes.compactMap(listing.status)
    }

    /// The Loc-RIB's prefixes, sorted, with what turns each into a row: the copy of the RIB
    /// is taken on the loop (O(1): the tables are shared until the RIB changes), the walk
    /// and the sort run on the caller's task.
    func routeListing(inside prefix: IPPrefix?) async throws -> RouteListing {
        let table = try await loop.submit { self.rib }.get()
        var prefixes: [RIBPrefix] = []
        prefixes.reserveCapacity(table.prefixCount)
        table.forEachBest(inside: prefix) { prefixes.append($0.prefix) }
        prefixes.sort()
        return RouteListing(table: table, prefixes: prefixes)
    }

    /// The announcements the import policies refused, and the paths not selected because
    /// their next hop is unreachable, with the reason, sorted by prefix.
    public func rejectedRoutes(inside prefix: IPPrefix? = nil) async throws -> [RouteStatus] {
        let (stores, table) = try await loop.submit {
            (self.sessions.map { ($0.config.address.description, $0.rejected) }, self.rib)
        }.get()
        var rows: [(RIBPrefix, RouteStatus)] = []
        table.forEachUnreachable { route, problem in
            guard prefix?.contains(route.prefix.prefix) ?? true else { return }
            let nextHop = route.attributes.nextHop?.description ?? "none"
            rows.append((route.prefix, RouteStatus(
                prefix: route.prefix.description, nextHop: nextHop, asPath: route.attributes.asPath.description,
                origin: route.attributes.origin?.description, med: route.attributes.med,
                localPref: route.attributes.localPref, communities: route.attributes.communities.map(\.description),
                from: table.peer(route.peer)?.address.description ?? "\(route.peer)", alternatives: 0,
                rejected: problem == .notConnected ? "next hop \(nextHop) is not on a connected network (RFC 4271 §9.1.2.1)"
                    : "next hop \(nextHop) unresolved: no route to it in the host's table (RFC 4271 §9.1.2.1)")))
        }
        for (address, rejected) in stores {
            rejected.forEach { rejectedPrefix, rejection in
                guard prefix?.contains(rejectedPrefix.prefix) ?? true else { return }
                rows.append((rejectedPrefix, RouteStatus(
                    prefix: rejectedPrefix.description, nextHop: nil, asPath: "", origin: nil, med: nil, localPref: nil,
                    communities: [], from: address, alternatives: 0, rejected: rejection.description)))
            }
        }
        return rows.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private func status(_ session: PeerSession) -> PeerStatus {
        let uptime = session.establishedAt.map { Int((NIODeadline.now() - $0).nanoseconds / 1_000_000_000) } ?? 0
        return PeerStatus(
            address: session.config.address.description, as: session.config.remoteAS,
            state: session.primary.fsm.state.rawValue, uptimeSeconds: uptime,
            prefixesReceived: session.prefixesReceived, prefixesAccepted: rib.acceptedCount(session.peerID),
            prefixesAdvertised: session.adjRIBOut.count,
            lastError: session.lastError.map {
                PeerStatus.LastError(code: $0.code.rawValue, subcode: $0.subcode, name: $0.name)
            })
    }
}

/// A sorted listing of a RIB copy, turned into rows a page at a time.
struct RouteListing: Sendable {
    let table: RIB
    let prefixes: [RIBPrefix]

    func status(_ prefix: RIBPrefix) -> RouteStatus? {
        guard let route = table.best(prefix) else { return nil }
        let a = route.attributes
        return RouteStatus(
            prefix: route.prefix.description, nextHop: a.nextHop?.description, asPath: a.asPath.description,
            origin: a.origin?.description, med: a.med, localPref: a.localPref,
            communities: a.communities.map(\.description),
            from: route.peer == .local ? "local" : table.peer(route.peer)?.address.description ?? "\(route.peer)",
            alternatives: table.paths(route.prefix).count - 1)
    }
}
