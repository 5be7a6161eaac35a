import BGPCore
import NIOCore
import NetworkCore

/// What `bgp peers` and `bgp routes` show, read on the speaker's loop.
extension BGPSpeaker {
    public func peerStatuses() async throws -> [PeerStatus] {
        try await loop.submit { self.sessions.map(self.status) }.get()
    }

    /// The Loc-RIB, optionally only the routes inside `prefix`.
    public func routes(inside prefix: IPPrefix? = nil) async throws -> [RouteStatus] {
        try await loop.submit {
            self.rib.bestRoutes(inside: prefix).map(self.status)
        }.get()
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

    private func status(_ route: RIBRoute) -> RouteStatus {
        let a = route.attributes
        return RouteStatus(
            prefix: route.prefix.description, nextHop: a.nextHop?.description, asPath: a.asPath.description,
            origin: a.origin?.description, med: a.med, localPref: a.localPref,
            communities: a.communities.map(\.description),
            from: route.peer == .local ? "local" : rib.peer(route.peer)?.address.description ?? "\(route.peer)",
            alternatives: rib.paths(route.prefix).count - 1)
    }
}
