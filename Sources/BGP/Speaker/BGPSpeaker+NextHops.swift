import BGPCore
import NIOCore

/// Next-hop reachability (RFC 4271 §9.1.2.1): a single-hop eBGP peer's route is selected
/// only while its next hop is on a network of an interface that is up. The interfaces are
/// read again every `connectedNetworksInterval`; when a network comes or goes, the prefixes
/// whose paths change verdict are decided again, and the changes go to the peers and the
/// kernel table like any other. An iBGP or multihop eBGP peer's next hop must resolve
/// through the host's table instead (`NextHopConfig`), which `ResolvingRouteWatch` keeps in
/// step from its own thread; only the prefixes whose next hop resolves differently are
/// decided again.
extension BGPSpeaker {
    /// How often the interfaces are read (one getifaddrs call).
    static let connectedNetworksInterval = TimeAmount.seconds(1)

    func watchConnectedNetworks() {
        refreshConnectedNetworks()
        connectedNetworksTask = loop.scheduleRepeatedTask(initialDelay: Self.connectedNetworksInterval,
                                                          delay: Self.connectedNetworksInterval) { [self] _ in
            refreshConnectedNetworks()
        }
    }

    func refreshConnectedNetworks() {
        guard !stopping else { return }
        var changes: [BestPathChange] = []
        rib.setConnectedNetworks(LocalInterfaces.connectedNetworks(), changes: &changes)
        distribute(changes)
    }

    /// Reads the table the next hops resolve through and starts following it, before any
    /// session can bring a route.
    func startResolvingNextHops() async throws {
        let settings = config.nextHops
        // Without an iBGP or multihop peer there is nothing to resolve: no thread, no reads.
        guard settings.resolve, config.peers.contains(where: { !$0.isSingleHopExternal(localAS: config.localAS) }) else { return }
        let watch: ResolvingRouteWatch, routes: [ResolvingRoute]
        do {
            watch = try ResolvingRouteWatch(config: settings)
            routes = try watch.readAll()
        } catch {
            throw SpeakerError.resolvingTable(settings.table, "\(error)")
        }
        try await loop.submit {
            var changes: [BestPathChange] = []
            self.rib.setNextHopResolver(NextHopResolver(resolvesViaDefault: settings.resolveViaDefault, routes: routes),
                                        changes: &changes)
            self.distribute(changes)
            self.resolvingRouteWatch = watch
        }.get()
        watch.start { [self] update in loop.execute { self.applyResolving(update) } }
    }

    func applyResolving(_ update: ResolvingRouteWatch.Update) {
        guard !stopping else { return }
        var changes: [BestPathChange] = []
        rib.updateResolvingRoutes(changes: &changes) { resolver in
            switch update {
            case .all(let routes): resolver.replaceRoutes(routes)
            case .changes(let added, let removed): resolver.apply(added: added, removed: removed)
            }
        }
        distribute(changes)
    }
}
