import Foundation
import Logging
import RouteSync
import ServiceLifecycle

/// Host routes to the other nodes of the domain: the changes of a `PeerSource` (the lease
/// store, or Kubernetes Nodes) fed to RouteSync's writer (one nexthop object per peer, a
/// route per subnet through it, diff-based). A whole set (the start, a re-list) is applied
/// as a diff, so peers still in it keep their routes untouched; a peer that goes loses its
/// routes at the change. The writer repairs what is deleted by hand and resyncs on its own.
public struct PeerRouteService: Service {
    let source: any PeerSource
    let writer: RouteWriter
    let readiness: Readiness?
    let logger: Logger
    let retryDelay: Duration

    public init(source: any PeerSource, writer: RouteWriter, readiness: Readiness?, logger: Logger,
                retryDelay: Duration = .seconds(2)) {
        self.source = source
        self.writer = writer
        self.readiness = readiness
        self.logger = logger
        self.retryDelay = retryDelay
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await followWithRetries() }
                group.addTask { await publishInstalledRoutes() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func followWithRetries() async {
        while !Task.isCancelled {
            do {
                try await follow()
                return
            } catch is CancellationError {
                return
            } catch {
                AgentMetrics.reconcileErrors("peers").increment()
                logger.warning("peers: following the peers failed", metadata: ["error": "\(error)", "retryIn": "\(retryDelay)"])
                try? await Task.sleep(for: retryDelay)
            }
        }
    }

    /// `terway_edge_routes_installed{source="peers"}` from the writer's report, once a
    /// second: it follows the writer's own repairs too, and a peer change pays nothing for
    /// it (the report walks every route; per change it would hold up the next change).
    private func publishInstalledRoutes() async {
        while !Task.isCancelled {
            if let report = try? await writer.peerReport() {
                AgentMetrics.routesInstalled("peers").record(report.installed.count)
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func follow() async throws {
        var peers: [String: PeerNode] = [:]
        for try await change in try await source.changes() {
            let arrived = ContinuousClock.now
            switch change {
            case .all(let all):
                peers = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
                let report = try await writer.setPeers(Array(peers.values))
                AgentMetrics.routeSync("peers").recordInterval(since: arrived)
                AgentMetrics.routesInstalled("peers").record(report.installed.count)
                readiness?.set("routes", true)
                logger.info("peers: \(report.installed.count)/\(report.expected.count) host routes installed", metadata: [
                    "mode": "\(report.mode.rawValue)", "peers": "\(peers.count)", "viaGateway": "\(report.viaGateway.count)"])
            case .set(let peer):
                guard peers[peer.name] != peer else { continue }
                peers[peer.name] = peer
                let timing = try await writer.updatePeer(peer)
                AgentMetrics.routeSync("peers").recordDuration(timing.wall)
                logger.info("peers: \(peer.name) routed", metadata: [
                    "subnets": "\(peer.subnets.map(\.description).joined(separator: ","))",
                    "via": "\(peer.nodeAddresses.map(\.description).joined(separator: ","))"].merging(Self.timings(timing, arrived: arrived)) { $1 })
            case .removed(let name):
                guard peers.removeValue(forKey: name) != nil else { continue }
                let timing = try await writer.removePeer(named: name)
                AgentMetrics.routeSync("peers").recordDuration(timing.wall)
                logger.info("peers: \(name) gone, its routes removed", metadata: Self.timings(timing, arrived: arrived))
            }
        }
    }

    /// How long a change took: `agentMicros` from its arrival here to the kernel's last ACK
    /// (the hop to the writer thread included), `writerMicros` and `writerCPUMicros` inside
    /// the writer alone.
    static func timings(_ timing: WriterTiming, arrived: ContinuousClock.Instant) -> Logger.Metadata {
        ["agentMicros": "\(micros(timing.acked - arrived))", "writerMicros": "\(micros(timing.wall))", "writerCPUMicros": "\(micros(timing.cpu))"]
    }

    static func micros(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }
}
