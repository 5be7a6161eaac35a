import Agent
import ArgumentParser
import Glibc
import Logging
import Metrics
import Prometheus

/// The process's entry: the command runs on the concurrency pool while the main thread
/// waits. An async `main` ends the main thread with `pthread_exit` (`dispatch_main`), and in
/// the static image binary that one unwind sorts every FDE of the program: its whole
/// `.eh_frame` (4.8 MB) resident and the sorted table on the heap for the agent's life.
/// Detached: `main` is on the main actor, whose queue this thread never drains.
@main
enum Entry {
    static func main() {
        Task.detached {
            await TerwayEdged.main()
            exit(EXIT_SUCCESS)
        }
        while true { pause() }
    }
}

/// The node agent: a thin main over `Agent`.
struct TerwayEdged: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terway-edged",
        abstract: "The TerwayEdge node agent. Role edge: lease, subnet file, host routes, BGP to the gateway, masquerade. Role cloud: the ENI warm pool and the pods' address socket. Both: status and metrics.")

    @Option(help: "The agent's YAML configuration.")
    var config = "/etc/terway-edge/agent.yaml"

    @Option(help: "The node's name, over the config's node and the host name (a DaemonSet passes the Downward API's spec.nodeName: cloud node names are not host names).")
    var node: String?

    @Flag(help: "Validate the configuration, print the resolved settings and exit.")
    var checkConfig = false

    @Flag(help: "Role edge: release the node's lease and remove what the agent put on the node (routes, nexthops, nftables table, subnet file). Role cloud: delete the agent's ENIs with their addresses, its pod rules and ENI tables. Then exit.")
    var cleanup = false

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if checkConfig && cleanup { throw ValidationError("--check-config and --cleanup exclude each other") }
    }

    func run() async throws {
        MemoryFootprint.configure()
        var loaded = try NodeAgentConfig.load(contentsOf: config)
        if let node {
            switch loaded {
            case .edge(var edge): edge.node = node; loaded = .edge(edge)
            case .cloud(var cloud): cloud.node = node; loaded = .cloud(cloud)
            }
        }
        if checkConfig {
            switch loaded {
            case .edge(let resolved): print(resolved.resolvedSettings, terminator: "")
            case .cloud(let resolved): print(resolved.resolvedSettings, terminator: "")
            }
            return
        }
        AgentLogging.bootstrap(level: logLevel)
        let logger = Logger(label: "terway-edged")
        let resolved: AgentConfig
        switch loaded {
        case .edge(let edge): resolved = edge
        case .cloud(let cloud):
            if cleanup {
                try await CloudAgent(config: cloud, logger: logger, lockWait: .seconds(15)).cleanup()
                return
            }
            let registry = Self.bootstrapMetrics()
            let agent = try await CloudAgent(config: cloud, logger: logger)
            try await agent.run(registry: registry)
            return
        }
        if cleanup {
            try await AgentCleanup.run(config: resolved, logger: logger)
            return
        }
        let registry = Self.bootstrapMetrics()
        let agent = try await EdgeAgent(config: resolved, logger: logger)
        try await agent.run(registry: registry)
    }

    static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // One lease change reaches the kernel in well under a millisecond: buckets from 50 µs.
        factory.durationHistogramBuckets["terway_edge_route_sync_seconds"] = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .seconds(1), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
