import BGPCore
import NetworkCore

/// Changing what we originate while running (the agent's node subnet comes and goes).
extension BGPSpeaker {
    /// Announces `route` to every peer (replacing its communities if already originated).
    public func originate(_ route: OriginateConfig) async throws {
        try await loop.submit { self.addOriginated([route]) }.get()
    }

    /// Routes go into the RIB in runs that share their communities, at most this many at
    /// a time: each run interns one attribute set, and the best-path changes of a full
    /// table are never all held at once (a million of them took 225 MB).
    static let originateBatch = 4096

    /// Puts originated routes into the Loc-RIB (source `PeerID.local`) and announces each
    /// run to the established peers.
    func addOriginated(_ routes: [OriginateConfig]) {
        var batch: [RIBPrefix] = []
        batch.reserveCapacity(min(routes.count, Self.originateBatch))
        var changes: [BestPathChange] = []
        var index = routes.startIndex
        while index != routes.endIndex {
            let communities = routes[index].communities
            while index != routes.endIndex, batch.count < Self.originateBatch,
                  routes[index].communities == communities {
                if let prefix = RIBPrefix(routes[index].prefix) { batch.append(prefix) }
                index += 1
            }
            rib.originate(batch, attributes: PathAttributes(origin: .igp, communities: communities), changes: &changes)
            distribute(changes)
            batch.removeAll(keepingCapacity: true)
            changes.removeAll(keepingCapacity: true)
        }
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
