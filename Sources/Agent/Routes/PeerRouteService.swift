import Foundation
import Logging
import NetworkCore
import RouteSync
import ServiceLifecycle
import SubnetStore

/// Host routes to the other nodes of the domain: a watch of the leases fed to RouteSync's
/// writer (one nexthop object per peer, a route per subnet through it, diff-based). A node
/// whose lease is released or expires loses its routes at the event; the writer repairs
/// what is deleted by hand and resyncs on its own.
public struct PeerRouteService: Service {
    let store: any LeaseStore
    let writer: RouteWriter
    let config: AgentConfig
    let readiness: Readiness?
    let logger: Logger
    let retryDelay: Duration

    public init(store: any LeaseStore, writer: RouteWriter, config: AgentConfig, readiness: Readiness?, logger: Logger,
                retryDelay: Duration = .seconds(2)) {
        self.store = store
        self.writer = writer
        self.config = config
        self.readiness = readiness
        self.logger = logger
        self.retryDelay = retryDelay
    }

    /// The node's address records in a lease's backend data (all of them, comma-separated).
    public static let addressesKey = "node-addresses"

    /// The peer a lease describes, or nil when it is this node's, another domain's, or expired.
    func peer(_ lease: Lease, now: Date) -> PeerNode? {
        guard lease.node != config.node, lease.domain == .edge, !lease.isExpired(at: now),
              lease.subnets.allSatisfy({ subnet in config.domain.podCIDRs.contains { $0.prefix.contains(subnet) } })
        else { return nil }
        var addresses = [lease.nodeAddress]
        for text in (lease.backendData[Self.addressesKey] ?? "").split(separator: ",") {
            if let address = IPAddress(text), !addresses.contains(address) { addresses.append(address) }
        }
        return PeerNode(name: lease.node, nodeAddresses: addresses, subnets: lease.subnets)
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
                logger.warning("peers: watching the leases failed", metadata: ["error": "\(error)", "retryIn": "\(retryDelay)"])
                try? await Task.sleep(for: retryDelay)
            }
        }
    }

    /// `terway_edge_routes_installed{source="peers"}` from the writer's report, once a
    /// second: it follows the writer's own repairs too, and a lease change pays nothing for
    /// it (the report walks every route; per change it would hold up the next change).
    private func publishInstalledRoutes() async {
        while !Task.isCancelled {
            if let report = try? await writer.peerReport() {
                AgentMetrics.routesInstalled("peers").record(report.installed.count)
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// The whole set from a listing, then one change per event.
    private func follow() async throws {
        let events = try await store.watch()
        let now = Date()
        var peers: [String: PeerNode] = [:]
        for lease in try await store.list() {
            if let peer = peer(lease, now: now) { peers[peer.name] = peer }
        }
        let started = ContinuousClock.now
        let report = try await writer.setPeers(Array(peers.values))
        AgentMetrics.routeSync("peers").recordInterval(since: started)
        AgentMetrics.routesInstalled("peers").record(report.installed.count)
        readiness?.set("routes", true)
        logger.info("peers: \(report.installed.count)/\(report.expected.count) host routes installed", metadata: [
            "mode": "\(report.mode.rawValue)", "peers": "\(peers.count)", "viaGateway": "\(report.viaGateway.count)"])
        for try await event in events {
            let arrived = ContinuousClock.now
            let name = event.lease.node
            switch event {
            case .added(let lease), .changed(let lease), .renewed(let lease):
                guard let peer = peer(lease, now: Date()) else {
                    if peers.removeValue(forKey: name) != nil { try await remove(name, arrived: arrived, why: "not a peer now") }
                    continue
                }
                guard peers[name] != peer else { continue }
                peers[name] = peer
                let timing = try await writer.updatePeer(peer)
                AgentMetrics.routeSync("peers").recordDuration(timing.wall)
                logger.info("peers: \(name) routed", metadata: [
                    "subnets": "\(peer.subnets.map(\.description).joined(separator: ","))",
                    "via": "\(peer.nodeAddresses.map(\.description).joined(separator: ","))"].merging(Self.timings(timing, arrived: arrived)) { $1 })
            case .expired, .deleted:
                guard peers.removeValue(forKey: name) != nil else { continue }
                try await remove(name, arrived: arrived, why: "lease \(event.kind)")
            }
        }
    }

    /// How long a change took: `agentMicros` from the event's arrival here to the kernel's
    /// last ACK (the hop to the writer thread included), `writerMicros` and
    /// `writerCPUMicros` inside the writer alone.
    static func timings(_ timing: WriterTiming, arrived: ContinuousClock.Instant) -> Logger.Metadata {
        ["agentMicros": "\(micros(timing.acked - arrived))", "writerMicros": "\(micros(timing.wall))", "writerCPUMicros": "\(micros(timing.cpu))"]
    }

    static func micros(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }

    private func remove(_ name: String, arrived: ContinuousClock.Instant, why: String) async throws {
        let timing = try await writer.removePeer(named: name)
        AgentMetrics.routeSync("peers").recordDuration(timing.wall)
        logger.info("peers: \(name) \(why), its routes removed", metadata: Self.timings(timing, arrived: arrived))
    }
}
