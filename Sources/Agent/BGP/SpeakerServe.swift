import BGP
import ConfigFile
import Logging
import Plan
import RouteSync
import ServiceLifecycle

/// `terway-edge bgp serve`: the agent's speaker services without the rest of the agent. The
/// speaker, and with a `kernel` key the export of its learned routes into a kernel table
/// (through RouteSync's writer, which reads that key), run as one service group until
/// SIGTERM or SIGINT.
public enum SpeakerServe {
    public static func run(configPath: String, logger: Logger) async throws {
        let speaker: BGPSpeaker
        var routes: RouteSyncConfig?
        do {
            // The loaded config goes straight into the speaker, which keeps no second copy
            // of a full table's originate list.
            var others: [String: ConfigNode] = [:]
            var loaded = try BGPConfig.load(contentsOf: configPath, otherKeys: ["kernel"], others: &others)
            if let kernel = others["kernel"] {
                var config = RouteSyncConfig()
                try config.readKernel(kernel)
                routes = config
                // What we install never resolves a next hop (no route through itself).
                loaded.nextHops.ownProtocol = config.learnedProtocolID
            }
            speaker = BGPSpeaker(config: loaded, restarting: GracefulRestartMarker.consume(for: loaded),
                                 log: { logger.info("bgp: \($0)") })
        } catch {
            throw ConfigRefused(description: "\(configPath): \(error)")
        }
        var services: [any Service] = []
        var writer: RouteWriter?
        if let routes {
            let started = try RouteWriter(config: routes, log: { logger.info("routes: \($0)") })
            _ = try await started.start()
            writer = started
            services.append(LearnedRouteExportService(speaker: speaker, writer: started,
                                                      adopt: speaker.restarting && speaker.config.gracefulRestart != nil, logger: logger))
        }
        defer { writer?.stop() }
        services.append(SpeakerService(speaker: speaker, logger: logger))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
