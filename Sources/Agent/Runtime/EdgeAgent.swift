import BGP
import Foundation
import Logging
import Masquerade
import NetworkCore
import NIOPosix
import Prometheus
import RouteSync
import ServiceLifecycle
import SubnetStore
import Synchronization

/// `terway-edged` with role edge: the services of one node, in dependency order. The group
/// starts them in this order and, on SIGTERM or SIGINT, stops them in reverse: the control
/// socket first, the lease last. Nothing the node forwards with is removed at a stop:
/// routes, nexthops and the masquerade table stay for the next run to adopt.
public final class EdgeAgent: Sendable {
    public let config: AgentConfig
    public let lease = Broadcast<Lease?>(nil)
    public let readiness = Readiness(["lease", "subnetFile", "routes"])
    let speaker: BGPSpeaker
    let store: any LeaseStore
    /// The single owner of the node's kernel routes (peer host routes and BGP's learned ones).
    let writer: RouteWriter
    let masquerade = Masquerade()
    let logger: Logger
    private let leaving = Mutex(false)
    private let group = Mutex<ServiceGroup?>(nil)
    private let lock: AgentLock

    public init(config: AgentConfig, logger: Logger) async throws {
        self.config = config
        self.logger = logger
        lock = try AgentLock(path: config.lockFile)
        do {
            store = try await LeaseStoreFactory.open(url: config.store, options: LeaseStoreOptions(pools: try config.leasePools()))
        } catch {
            throw ConfigRefused(description: "store \(config.store) cannot be opened: \(error); "
                + "fix store: in the agent's config, or the folder or endpoints it names")
        }
        let routeLogger = logger.with("part", "routes")
        writer = try RouteWriter(config: config.routes, log: { routeLogger.info("\($0)") })
        let speakerConfig = config.speakerConfig()
        let speakerLogger = logger.with("part", "bgp")
        // On the agent's one event loop (`MemoryFootprint`), not a thread of its own.
        speaker = BGPSpeaker(config: speakerConfig, restarting: GracefulRestartMarker.consume(for: speakerConfig),
                             group: MultiThreadedEventLoopGroup.singleton, log: { speakerLogger.info("\($0)") })
    }

    /// Runs until SIGTERM/SIGINT (or a service fails), then closes the store.
    public func run(registry: PrometheusCollectorRegistry) async throws {
        AgentMetrics.declare()
        // Adopts what an earlier run left (SIGTERM or SIGKILL): nothing is removed and re-added.
        let adopted = try await writer.start()
        logger.info("routes: \(adopted.installed.count) peer routes adopted", metadata: ["mode": "\(adopted.mode.rawValue)"])
        defer { writer.stop() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: try services(registry: registry).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        self.group.withLock { $0 = group }
        logger.info("agent: starting", metadata: ["node": "\(config.node)", "domain": "\(config.domain.name)",
                                                  "nodeAddress": "\(config.nodeAddress)", "store": "\(config.store)"])
        do {
            try await group.run()
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        logger.info("agent: stopped; routes, nexthops and masquerade kept for the next run")
    }

    func services(registry: PrometheusCollectorRegistry) throws -> [any Service] {
        var services: [any Service] = [
            MetricsService(address: config.metricsAddress, registry: registry, readiness: readiness, logger: logger.with("part", "metrics")),
            LeaseService(store: store, request: LeaseRequest(
                node: config.node, nodeAddress: config.nodeAddress, domain: .edge, ttl: config.leaseTTL,
                backendData: [LeasePeerSource.addressesKey: config.nodeAddresses.map(\.description).joined(separator: ",")]),
                         lease: lease, readiness: readiness, logger: logger.with("part", "lease"),
                         leaving: { [self] in leaving.withLock { $0 } }),
            SubnetFileService(path: config.subnetFile, lease: lease, readiness: readiness, logger: logger.with("part", "subnetFile")),
        ]
        // Kubernetes mode: peers are the Nodes, and the Node is told when its network is up.
        let routeLogger = logger.with("part", "routes")
        let scope = PeerScope(node: config.node, podCIDRs: config.domain.podCIDRs.map(\.prefix))
        let kubernetes = store as? KubernetesLeaseStore
        let source: any PeerSource = kubernetes.map { store in
            NodePeerSource(client: store.client, scope: scope, report: { report in routeLogger.warning("\(report)") })
        } ?? LeasePeerSource(store: store, scope: scope)
        services.append(PeerRouteService(source: source, writer: writer, readiness: readiness, logger: routeLogger))
        if let kubernetes {
            services.append(NetworkConditionService(client: kubernetes.client, node: config.node, readiness: readiness,
                                                    logger: logger.with("part", "node")))
        }
        if config.masquerade {
            services.append(MasqueradeService(masquerade: masquerade, clusterRanges: config.clusterRanges, lease: lease,
                                              recheck: config.routes.resyncInterval, logger: logger.with("part", "masquerade")))
        }
        if config.bgp.kernel {
            services.append(LearnedRouteExportService(speaker: speaker, writer: writer, adopt: true, logger: logger.with("part", "bgp")))
        }
        let config = config
        services.append(SpeakerService(speaker: speaker, following: lease, advertised: { config.advertised(for: $0) },
                                       logger: logger.with("part", "bgp")))
        services.append(ControlService(path: config.controlSocket, logger: logger.with("part", "control"), commands: .init(
            status: { [self] in await status() },
            leave: { [self] in await leave() })))
        return services
    }

    /// The node leaves the cluster (`terway-edged --cleanup` while the agent runs): the lease
    /// goes back to the store, so the other nodes drop their routes to this one; the subnets
    /// are withdrawn from the gateway before the sessions close (a graceful-restart close
    /// alone would leave them stale there for the restart time); then the agent stops.
    func leave() async {
        leaving.withLock { $0 = true }
        do {
            let released = try await store.release(node: config.node)
            logger.info("agent: leaving, lease released", metadata: ["subnets": "\(released?.subnets.map(\.description).joined(separator: ",") ?? "-")"])
        } catch {
            AgentMetrics.reconcileErrors("lease").increment()
            logger.error("agent: leaving, releasing the lease failed", metadata: ["error": "\(error)"])
        }
        lease.publish(nil)
        // The withdrawals leave with the next UPDATEs; wait until no peer is sent our routes.
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline {
            let advertised = ((try? await speaker.peerStatuses()) ?? []).reduce(0) { $0 + $1.prefixesAdvertised }
            if advertised == 0 { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        if let group = group.withLock({ $0 }) {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    /// The answer of the control socket.
    public func status() async -> AgentStatus {
        let held = lease.value
        let peers = (try? await speaker.peerStatuses()) ?? []
        var problems: [String] = []
        if held == nil {
            problems.append("The node holds no lease: check that the lease store \(config.store) is reachable (`terway-edge ipam leases --store \(config.store)`) and has a free subnet.")
        }
        for peer in peers where peer.state != "Established" {
            problems.append("The BGP session to the gateway \(peer.address) is \(peer.state): render the gateway's config from this plan (`terway-edge plan render --for bird`) and check that TCP port 179 to it is open.")
        }
        let routes = (try? await writer.peerReport()) ?? PeerRouteReport(mode: config.routes.mode, problems: [
            "The route writer does not answer: see the agent's log (part=routes) and restart the agent."])
        problems += routes.problems
        var masqueradeState = AgentStatus.MasqueradeState(installed: false, rules: [])
        if config.masquerade {
            do {
                let installed = try masquerade.status()
                masqueradeState = AgentStatus.MasqueradeState(installed: installed.installed, rules: installed.rules)
                if !installed.installed && held != nil {
                    problems.append("The masquerade table inet \(MasqueradeRules.table) is missing: pods cannot reach outside the cluster; see the agent's log (part=masquerade).")
                }
            } catch {
                problems.append("Reading the masquerade table failed (\(error)): check that nft is installed.")
            }
        }
        return AgentStatus(
            node: config.node, role: "edge", domain: config.domain.name,
            lease: AgentStatus.LeaseState(subnets: held?.subnets.map(\.description) ?? [],
                                          expiresAt: held.map { RecordTimestamp.format($0.expiresAt) }),
            routes: AgentStatus.RouteState(
                expected: routes.expected.count, installed: routes.installed.count, missing: routes.missing.map(\.description),
                viaGateway: routes.viaGateway.map { "\($0.node) \($0.subnets.map(\.description).joined(separator: ","))" }),
            peers: peers,
            masquerade: masqueradeState,
            problems: problems)
    }
}

extension AgentConfig {
    /// One allocator per pod CIDR of the domain. The embedded store serialises writers under
    /// one lock (lowest free subnet, readable); etcd agents race through compare-and-swap, so
    /// each starts its search at a node-derived index.
    func leasePools() throws -> [NodeSubnetAllocator] {
        let strategy: NodeSubnetAllocator.Strategy = store.hasPrefix("file:") ? .lowestFree : .hashedStart
        return try pools.map { try NodeSubnetAllocator(clusterCIDR: $0.block, subnetLength: $0.subnetLength, strategy: strategy) }
    }
}

extension Logger {
    /// A copy carrying `key=value` on every line.
    func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy[metadataKey: key] = "\(value)"
        return copy
    }
}
