import NetworkCore

/// Changing what we originate while running (the agent's node subnet comes and goes).
extension BGPSpeaker {
    /// Announces `route` to every peer (replacing its communities if already originated).
    public func originate(_ route: OriginateConfig) async throws {
        try await loop.submit { self.distribute(self.addOriginated([route])) }.get()
    }

    /// Puts originated routes into the Loc-RIB (source `PeerID.local`).
    func addOriginated(_ routes: [OriginateConfig]) -> [BestPathChange] {
        var changes: [BestPathChange] = []
        for route in routes {
            guard let prefix = RIBPrefix(route.prefix) else { continue }
            rib.originate(prefix, attributes: PathAttributes(origin: .igp, communities: route.communities),
                          changes: &changes)
        }
        return changes
    }

    /// Withdraws an originated prefix from every peer.
    public func withdraw(_ prefix: IPPrefix) async throws {
        try await loop.submit {
            guard let key = RIBPrefix(prefix) else { return }
            var changes: [BestPathChange] = []
            self.rib.withdrawOriginated(key, changes: &changes)
            self.distribute(changes)
        }.get()
    }
}
