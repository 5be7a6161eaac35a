import CloudAPI
import CloudENI
import CNIProtocol
import Foundation
import HTTPClient
import Logging
import Netlink
import Prometheus
import ServiceLifecycle

/// `terway-edged` with role cloud: learns the instance from metadata and its quotas from
/// `DescribeInstanceTypes`, completes what a crash interrupted, reconciles with the cloud,
/// then serves the address socket, the control socket and metrics until SIGTERM/SIGINT.
public final class CloudAgent: Sendable {
    public let config: CloudAgentConfig
    let pool: ENIPool
    let links: CloudNodeLinks
    let http: HTTPConnectionCache
    let logger: Logger
    let readiness = Readiness(["pool"])
    private let lock: AgentLock

    /// `lockWait`: how long to wait for a running agent to end (`--cleanup` waits for one that stops).
    public init(config: CloudAgentConfig, logger: Logger, lockWait: Duration = .zero) async throws {
        self.config = config
        let nodeNamespace = try config.netns.map { path in try NetworkNamespace(path: path) }
        self.logger = logger
        lock = try AgentLock(path: config.lockFile, timeout: lockWait)
        // An endpoint left out is the region's public one: HTTPS.
        let needsTLS = [config.cloud.endpoint, config.cloud.vpcEndpoint].contains { $0?.tls ?? true }
        let tls = needsTLS ? try TLSOptions().makeContext() : nil
        http = HTTPConnectionCache(connectTimeout: 5, tls: tls)
        let metadata = MetadataClient(endpoint: config.cloud.metadataEndpoint, transport: http)
        let facts = try await metadata.instance()
        let credentials: any CredentialProvider
        switch config.cloud.credentials {
        case .file(let path): credentials = try StaticCredentials.file(path)
        case .ramRole(let role): credentials = RAMRoleCredentials(metadata: metadata, role: role)
        }
        let clientLogger = logger.with("part", "cloud")
        let client = CloudClient(config: config.clientConfig(region: config.cloud.regionId ?? facts.region), transport: http,
                                 credentials: credentials, log: { clientLogger.info("\($0)") })
        guard let quota = try await client.describeInstanceTypes([facts.instanceType]).first(where: { $0.id == facts.instanceType }) else {
            throw ConfigRefused(description: "DescribeInstanceTypes does not know the instance type \(facts.instanceType)")
        }
        var securityGroups = config.cloud.securityGroups
        if securityGroups.isEmpty {
            let primary = try await client.describeNetworkInterfaces(instanceId: facts.instanceId).first { $0.type == "Primary" }
            securityGroups = primary?.securityGroupIds ?? []
            guard !securityGroups.isEmpty else {
                throw ConfigRefused(description: "the primary ENI of \(facts.instanceId) shows no security group; set cloud.securityGroups")
            }
        }
        let secondary = quota.eniQuantity - 1
        let settings = ENIPool.Settings(
            pool: config.cloud.pool, vSwitches: config.cloud.vSwitches.isEmpty ? [facts.vSwitchId] : config.cloud.vSwitches,
            securityGroups: securityGroups, maxENIs: min(secondary, config.cloud.maxENIs ?? secondary), quota: quota,
            reconcileInterval: config.cloud.reconcileInterval)
        links = CloudNodeLinks(namespace: nodeNamespace, logger: logger.with("part", "routes"))
        pool = ENIPool(client: client, metadata: metadata,
                       instance: .init(id: facts.instanceId, type: facts.instanceType, zone: facts.zone, vSwitchId: facts.vSwitchId),
                       settings: settings, ledger: try PoolLedger(folder: config.ledger), links: links,
                       logger: logger.with("part", "pool"))
        logger.info("cloud: instance \(facts.instanceId)", metadata: [
            "type": "\(facts.instanceType)", "eniQuantity": "\(quota.eniQuantity)",
            "addressesPerENI": "\(quota.eniPrivateIpAddressQuantity)", "maxENIs": "\(settings.maxENIs)"])
    }

    public func run(registry: PrometheusCollectorRegistry) async throws {
        AgentMetrics.declare()
        CloudMetrics.declare()
        try await pool.start()
        try links.startRepairing()
        defer { links.stop() }
        readiness.set("pool", true)
        let pool = pool
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services(registry: registry).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let loops = Task { await pool.runLoops() }
        defer { loops.cancel() }
        try await group.run()
        await http.closeAll()
        logger.info("agent: stopped; ENIs, addresses and routes kept for the next run")
    }

    func services(registry: PrometheusCollectorRegistry) -> [any Service] {
        [
            MetricsService(address: config.metricsAddress, registry: registry, readiness: readiness, logger: logger.with("part", "metrics")),
            AddressSocketService(path: config.addressSocket, pool: pool, logger: logger.with("part", "addresses")),
            ControlService(path: config.controlSocket, logger: logger.with("part", "control"), commands: .init(
                status: { [self] in await status() },
                leave: nil)),
        ]
    }

    /// `terway-edged --cleanup`: every ENI and address of ours back to the cloud, our rules and
    /// ENI tables off the node (see `ENIPool.cleanup`). The agent must not run meanwhile.
    public func cleanup() async throws {
        let result = try await pool.cleanup()
        await http.closeAll()
        logger.info("cleanup: deleted \(result.enis) ENIs with \(result.addresses) pod addresses; removed \(result.rules) pod rules and \(result.routes) host and ENI table routes")
    }

    public func status() async -> AgentStatus {
        let state = await pool.snapshot()
        var problems: [String] = []
        if let failure = state.lastFailure {
            problems.append("The pool could not grow or shrink: \(failure). See the agent's log (part=pool).")
        }
        if state.enis.count >= state.maxENIs, state.idle == 0 {
            problems.append("Every address the instance type allows is in use (\(state.quota)): no new pod gets one; use a larger instance type or fewer pods.")
        }
        return AgentStatus(
            node: config.node, role: "cloud", domain: "cloud",
            lease: .init(subnets: [], expiresAt: nil), routes: .init(expected: 0, installed: 0, missing: [], viaGateway: []),
            peers: [], masquerade: .init(installed: false, rules: []), problems: problems,
            cloud: .init(instance: state.instance, instanceType: state.instanceType, poolSize: state.size, ipv6PoolSize: state.ipv6Size, idle: state.idle,
                         inUse: state.inUse, minIdle: config.cloud.pool.minIdle, maxIdle: config.cloud.pool.maxIdle,
                         enis: state.enis, maxENIs: state.maxENIs, leaksRepaired: state.leaksRepaired, routesRepaired: links.repaired, intentsOpen: state.intentsOpen,
                         apiCalls: state.statistics.actions.mapValues(\.calls), apiThrottled: state.statistics.actions.mapValues(\.throttled)))
    }
}

extension ENIPool {
    struct Snapshot {
        var instance: String
        var instanceType: String
        var size: Int
        /// nil while no ENI of the pool is dual-stack.
        var ipv6Size: Int?
        var idle: Int
        var inUse: Int
        var enis: [String]
        var maxENIs: Int
        var quota: String
        var leaksRepaired: Int
        var intentsOpen: Int
        var lastFailure: String?
        var statistics: CloudClient.Statistics
    }

    func snapshot() async -> Snapshot {
        let addresses = ledger.state.addresses.values
        return Snapshot(
            instance: instance.id, instanceType: instance.type, size: addresses.count, ipv6Size: enis.contains(where: isDualStack) ? addresses.count { $0.ipv6 != nil } : nil, idle: idleCount, inUse: inUseCount,
            enis: enis.map { eni in
                "\(eni.id) slot \(eni.slot) table \(CloudPodRouting.table(slot: eni.slot)) \(eni.mac) \(eni.vSwitchId), \(addresses.count { $0.eni == eni.id }) addresses"
            },
            maxENIs: enisAllowed, quota: quotaText, leaksRepaired: leaksRepaired,
            intentsOpen: ledger.state.intents.count, lastFailure: lastFailure,
            statistics: await client.statistics)
    }
}
