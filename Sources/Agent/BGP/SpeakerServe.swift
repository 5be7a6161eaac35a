import BGP
import Logging
import RouteSync
import ServiceLifecycle

/// `terway-edge bgp serve`: the agent's speaker services without the rest of the agent. The
/// speaker, and with a `kernel` key the export of its learned routes into a kernel table,
/// run as one service group until SIGTERM or SIGINT.
public enum SpeakerServe {
    public static func run(configPath: String, logger: Logger) async throws {
        let speaker: BGPSpeaker
        do {
            // The loaded config goes straight into the speaker, which keeps no second copy
            // of a full table's originate list.
            let loaded = try BGPConfig.load(contentsOf: configPath)
            speaker = BGPSpeaker(config: loaded, restarting: GracefulRestartMarker.consume(for: loaded),
                                 log: { logger.info("bgp: \($0)") })
        } catch {
            throw ConfigRefused(description: "\(configPath): \(error)")
        }
        var services: [any Service] = []
        if let kernel = speaker.config.kernel {
            services.append(try LearnedRouteExportService(
                speaker: speaker, table: KernelTable(id: kernel.table, protocolID: kernel.protocolID, metric: kernel.metric),
                adopt: speaker.restarting && speaker.config.gracefulRestart != nil, logger: logger))
        }
        services.append(SpeakerService(speaker: speaker, logger: logger))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
