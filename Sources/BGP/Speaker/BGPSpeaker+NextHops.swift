import BGPCore
import NIOCore

/// Next-hop reachability (RFC 4271 §9.1.2.1): a single-hop eBGP peer's route is selected
/// only while its next hop is on a network of an interface that is up. The interfaces are
/// read again every `connectedNetworksInterval`; when a network comes or goes, the prefixes
/// whose paths change verdict are decided again, and the changes go to the peers and the
/// kernel table like any other.
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
}
