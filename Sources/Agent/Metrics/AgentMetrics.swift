import Metrics

/// The agent's metrics, named in one place. Each is declared at start so that the first
/// scrape already lists them (a counter that never moved is still a fact).
enum AgentMetrics {
    /// Routes of ours in the kernel, per source (`peers`: host routes to other nodes, `bgp`:
    /// routes learned from the gateway).
    static func routesInstalled(_ source: String) -> Gauge {
        Gauge(label: "terway_edge_routes_installed", dimensions: [("source", source)])
    }

    /// How long one batch of changes took to reach the kernel, per source.
    static func routeSync(_ source: String) -> Timer {
        Timer(label: "terway_edge_route_sync_seconds", dimensions: [("source", source)])
    }

    /// 1 while the session with `peer` is Established.
    static func sessionUp(_ peer: String) -> Gauge {
        Gauge(label: "terway_edge_bgp_session_up", dimensions: [("peer", peer)])
    }

    /// When the node's lease expires, in seconds since the Unix epoch (0: no lease).
    static let leaseExpiry = Gauge(label: "terway_edge_lease_expiry_seconds")

    /// Failed attempts to bring a part to its wanted state, per part.
    static func reconcileErrors(_ part: String) -> Counter {
        Counter(label: "terway_edge_reconcile_errors_total", dimensions: [("part", part)])
    }

    static let sources = ["peers", "bgp"]
    static let parts = ["lease", "subnetFile", "peers", "bgp", "masquerade"]

    static func declare() {
        for source in sources {
            routesInstalled(source).record(0)
            _ = routeSync(source)
        }
        leaseExpiry.record(0)
        for part in parts { reconcileErrors(part).increment(by: 0) }
    }
}
