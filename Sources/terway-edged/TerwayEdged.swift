import Agent
import ArgumentParser
import Logging
import Metrics
import Prometheus

/// The node agent: a thin main over `Agent`.
@main
struct TerwayEdged: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terway-edged",
        abstract: "The TerwayEdge node agent: lease, subnet file, host routes, BGP to the gateway, masquerade, status and metrics.")

    @Option(help: "The agent's YAML configuration.")
    var config = "/etc/terway-edge/agent.yaml"

    @Option(help: "The node's name, over the config's node and the host name (a DaemonSet passes the Downward API's spec.nodeName: cloud node names are not host names).")
    var node: String?

    @Flag(help: "Validate the configuration, print the resolved settings and exit.")
    var checkConfig = false

    @Flag(help: "Release the node's lease and remove what the agent put on the node (routes, nexthops, nftables table, subnet file), then exit.")
    var cleanup = false

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if checkConfig && cleanup { throw ValidationError("--check-config and --cleanup exclude each other") }
    }

    func run() async throws {
        var resolved = try AgentConfig.load(contentsOf: config)
        if let node { resolved.node = node }
        if checkConfig {
            print(resolved.resolvedSettings, terminator: "")
            return
        }
        AgentLogging.bootstrap(level: logLevel)
        let logger = Logger(label: "terway-edged")
        if cleanup {
            try await AgentCleanup.run(config: resolved, logger: logger)
            return
        }
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // One lease change reaches the kernel in well under a millisecond: buckets from 50 µs.
        factory.durationHistogramBuckets["terway_edge_route_sync_seconds"] = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .seconds(1), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        let agent = try await EdgeAgent(config: resolved, logger: logger)
        try await agent.run(registry: registry)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
