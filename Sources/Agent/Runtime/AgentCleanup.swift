import BGP
import Foundation
import Logging
import Masquerade
import RouteSync
import SubnetStore

/// `terway-edged --cleanup`: the node leaves. Its lease goes back to the store (the other
/// nodes drop their routes to it, the gateway its BGP route), and what the agent put on
/// the node is removed: the routes learned over BGP, the subnet file and the restart marker.
/// A running agent is asked to leave first (it withdraws the subnets from the gateway and
/// stops); otherwise the lease is released here.
public enum AgentCleanup {
    public static func run(config: AgentConfig, logger: Logger) async throws {
        if let answer = try? ControlClient.exchange(Data(#"{"command":"leave"}"#.utf8), with: config.controlSocket,
                                                    server: "the agent", hint: "not running") {
            logger.info("cleanup: the running agent \(String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        // Nothing is removed while an agent runs: it would put the routes back.
        let lock = try AgentLock(path: config.lockFile, timeout: .seconds(15))
        defer { withExtendedLifetime(lock) {} }
        let store = try await LeaseStoreFactory.open(url: config.store, options: LeaseStoreOptions(pools: try config.leasePools()))
        let released = try await store.release(node: config.node)
        await store.close()
        logger.info("cleanup: lease \(released == nil ? "was not held" : "released")",
                    metadata: ["subnets": "\(released?.subnets.map(\.description).joined(separator: ",") ?? "-")"])
        let writer = try RouteWriter(config: config.routes, log: { logger.info("\($0)") })
        _ = try await writer.start()
        let peerRoutes = try await writer.removePeerRoutes()
        let learned = try await writer.withLearnedRoutes { try $0.removeAll() }
        writer.stop()
        logger.info("cleanup: removed \(peerRoutes) peer routes and nexthops, \(learned) routes learned over BGP")
        try Masquerade().remove()
        logger.info("cleanup: removed the nftables table inet \(MasqueradeRules.table)")
        for path in [config.subnetFile, GracefulRestartMarker.path(for: config.speakerConfig())]
        where FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
            logger.info("cleanup: removed \(path)")
        }
    }
}
