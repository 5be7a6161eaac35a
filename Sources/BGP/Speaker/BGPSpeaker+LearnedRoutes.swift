import BGPCore
import NetworkCore

/// The Loc-RIB's learned routes for a kernel table (RouteSync), without BGP knowing netlink.
extension BGPSpeaker {
    /// The best-path changes of learned routes, in batches in the order the RIB made them.
    /// Bounded: while the consumer is busy, changes wait coalesced, one per prefix (the
    /// latest), and the next batch is all of them (`LearnedRouteBuffer`). Call before
    /// `start()`; one observer. The stream ends when `shutdown()` begins: the withdrawals a
    /// shutdown causes are not reported, the caller decides what the kernel keeps (RFC 4724
    /// forwarding state).
    public func learnedRouteChanges() -> AsyncStream<[LearnedRouteChange]> {
        let buffer = LearnedRouteBuffer()
        learnedRoutes = buffer
        return AsyncStream(unfolding: { await buffer.next() })
    }

    /// Returns once the observer of `learnedRouteChanges()` has applied every change reported
    /// so far (asked for the next batch after taking them); at once without an observer.
    public func learnedRoutesApplied() async {
        await learnedRoutes?.applied()
    }

    func reportLearned(_ changes: [BestPathChange]) {
        guard let learnedRoutes, !stopping else { return }
        learnedRoutes.add(changes.map { change in
            LearnedRouteChange(prefix: change.prefix.prefix, nextHop: change.best.flatMap(kernelNextHop))
        })
    }

    /// The gateway the kernel forwards a learned route to (nil for our own routes, and for a
    /// next hop no kernel route can use). A next hop resolved through a route with a gateway
    /// (iBGP, multihop eBGP) goes as that gateway and its device, as BIRD's `gateway
    /// recursive` installs it. Otherwise an IPv6 next hop's global address when we reach it
    /// directly (or nothing is checked), else its link-local one (RFC 2545 §3) on the
    /// session's interface; a link-local address always goes with that interface.
    func kernelNextHop(_ route: RIBRoute) -> LearnedNextHop? {
        guard route.peer != .local, let nextHop = route.attributes.nextHop else { return nil }
        if rib.peer(route.peer)?.resolvesNextHop == true, let resolved = rib.resolution(of: nextHop),
           let gateway = resolved.gateway {
            return LearnedNextHop(gateway: gateway, interface: resolved.interface)
        }
        let interface = { self.sessions.first { $0.peerID == route.peer }?.interfaceIndex }
        switch nextHop {
        case .ipv4(let address):
            return LearnedNextHop(gateway: .v4(address))
        case .ipv6(let global, let linkLocal):
            let globalReachable = rib.connectedNetworks?.reaches(.ipv6(global: global, linkLocal: nil)) ?? true
            if !global.isLinkLocal, globalReachable || linkLocal == nil { return LearnedNextHop(gateway: .v6(global)) }
            guard let onLink = global.isLinkLocal ? global : linkLocal, let index = interface() else { return nil }
            return LearnedNextHop(gateway: .v6(onLink), interface: index)
        case .other:
            return nil
        }
    }
}
