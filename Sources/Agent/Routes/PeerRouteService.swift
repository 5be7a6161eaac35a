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
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await follow() }
                return
            } catch is CancellationError {
                return
            } catch {
                AgentMetrics.reconcileErrors("peers").increment()
                logger.warning("peers: following the peers failed", metadata: ["error": "\(error)", "retryIn": "\(retryDelay)"])
                try? await Task.sleep(for: retryDelay)
                if Task.isCancelled { return }
            }
        }
    }

    private func follow() async throws {
        var peers: [String: PeerNode] = [:]
        for try await change in try await source.changes() {
            switch change {
            case .all(let all):
                peers = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
                let started = ContinuousClock.now
                let report = try await writer.setPeers(Array(peers.values))
                AgentMetrics.routeSync("peers").recordInterval(since: started)
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
                    "via": "\(peer.nodeAddresses.map(\.description).joined(separator: ","))",
                    // Inside the writer, from taking the change to the kernel's last ACK.
                    "writerMicros": "\(Self.micros(timing.wall))", "writerCPUMicros": "\(Self.micros(timing.cpu))"])
            case .removed(let name):
                guard peers.removeValue(forKey: name) != nil else { continue }
                let timing = try await writer.removePeer(named: name)
                AgentMetrics.routeSync("peers").recordDuration(timing.wall)
                logger.info("peers: \(name) gone, its routes removed")
            }
            AgentMetrics.routesInstalled("peers").record(try await writer.peerReport().installed.count)
        }
    }

    static func micros(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }
}
