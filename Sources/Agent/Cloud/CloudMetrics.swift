import CloudENI
import Metrics
import Synchronization

/// The cloud role's metrics beside `AgentMetrics`.
enum CloudMetrics {
    /// Addresses in the pool: `size` (all), `idle`, `inUse`.
    static func pool(_ state: String) -> Gauge {
        Gauge(label: "terway_edge_cloud_pool_addresses", dimensions: [("state", state)])
    }

    static let enis = Gauge(label: "terway_edge_cloud_enis")

    /// Addresses and ENIs of this node that nobody owned, given back without a restart.
    static let leaksRepaired = Counter(label: "terway_edge_cloud_leaks_repaired_total")

    static func apiCalls(_ action: String) -> Counter {
        Counter(label: "terway_edge_cloud_api_calls_total", dimensions: [("action", action)])
    }

    static func apiThrottled(_ action: String) -> Counter {
        Counter(label: "terway_edge_cloud_api_throttled_total", dimensions: [("action", action)])
    }

    static let actions = ["CreateNetworkInterface", "AttachNetworkInterface", "DetachNetworkInterface", "DeleteNetworkInterface",
                          "DescribeNetworkInterfaces", "AssignPrivateIpAddresses", "UnassignPrivateIpAddresses", "DescribeInstanceTypes"]

    static func declare() {
        for state in ["size", "idle", "inUse"] { pool(state).record(0) }
        enis.record(0)
        leaksRepaired.increment(by: 0)
        for action in actions {
            apiCalls(action).increment(by: 0)
            apiThrottled(action).increment(by: 0)
        }
    }

    private static let published = Mutex<[String: CloudClient.ActionCount]>([:])

    /// The client's running totals into the counters (each moved by what changed since the last call).
    static func publish(_ statistics: CloudClient.Statistics) {
        published.withLock { last in
            for (action, count) in statistics.actions {
                let before = last[action] ?? CloudClient.ActionCount()
                if count.calls > before.calls { apiCalls(action).increment(by: count.calls - before.calls) }
                if count.throttled > before.throttled { apiThrottled(action).increment(by: count.throttled - before.throttled) }
                last[action] = count
            }
        }
    }
}
