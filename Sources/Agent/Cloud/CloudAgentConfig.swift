import BGP
import CloudAPI
import CloudENI
import CNIProtocol
import ConfigFile
import HTTPClient
import NetworkCore

/// The resolved settings of `terway-edged` with `role: cloud`: the node's pods get VPC
/// addresses from the instance's ENIs (a warm pool of secondary IPs), served to the plugin
/// over the address socket.
public struct CloudAgentConfig: Sendable {
    public var node: String
    public var controlSocket: String
    public var metricsAddress: SocketEndpoint
    public var addressSocket: String
    /// The ledger's folder (snapshot and journal).
    public var ledger: String
    /// The network namespace where the ENIs appear and pods are routed (a lab running
    /// several nodes on one host); nil: the agent's own.
    public var netns: String?
    public var cloud: Cloud

    public struct Cloud: Sendable {
        /// ECS (and, unless `vpcEndpoint` says otherwise, VPC) API endpoint; nil: the region's public one.
        public var endpoint: HTTPEndpoint?
        public var vpcEndpoint: HTTPEndpoint?
        public var metadataEndpoint: HTTPEndpoint
        /// nil: the instance's region, from metadata.
        public var regionId: String?
        public var credentials: Credentials
        public var signature: SignatureStyle
        /// In order of preference; empty: the instance's own vSwitch.
        public var vSwitches: [String]
        /// For the ENIs the agent creates; empty: the security groups of the primary ENI.
        public var securityGroups: [String]
        public var pool: Pool
        /// nil: the instance type's quota.
        public var maxENIs: Int?
        /// Calls per minute per action.
        public var apiRates: [String: Double]
        public var reconcileInterval: Duration
    }

    public enum Credentials: Sendable, Equatable {
        /// `access_key_id: …` and `access_key_secret: …` lines (see `StaticCredentials.file`).
        case file(String)
        /// The instance's RAM role through metadata; nil: the one attached to the instance.
        case ramRole(String?)
    }

    public struct Pool: Sendable, Equatable {
        public var minIdle: Int
        public var maxIdle: Int
        /// Idle addresses above `minIdle` that stayed idle this long go back to the cloud.
        public var idleReclaimAfter: Duration

        public init(minIdle: Int, maxIdle: Int, idleReclaimAfter: Duration) {
            self.minIdle = minIdle
            self.maxIdle = maxIdle
            self.idleReclaimAfter = idleReclaimAfter
        }
    }

    public static let defaultLedger = "/var/lib/terway-edge/cloud"
    public static let keys = ["role", "node", "controlSocket", "metricsAddress", "addressSocket", "ledger", "netns", "cloud"]
    static let cloudKeys = ["endpoint", "vpcEndpoint", "metadataEndpoint", "regionId", "credentials", "signature", "vSwitches",
                            "securityGroups", "pool", "maxENIs", "apiRates", "reconcileInterval"]

    public init(yaml: String, environment: AgentConfig.Environment) throws(ConfigError) {
        let top = try ConfigNode.document(yaml).mapping(allowing: Self.keys)
        if let role = top.optional("role"), try role.string() != "cloud" { throw role.error("expected cloud") }
        node = try environment.nodeName(top)
        controlSocket = try top.optional("controlSocket")?.socketPath() ?? AgentConfig.defaultControlSocket
        metricsAddress = try top.optional("metricsAddress")?.metricsEndpoint() ?? AgentConfig.defaultMetricsAddress
        addressSocket = try top.optional("addressSocket")?.socketPath() ?? PodAddressSocket.defaultPath
        ledger = try top.optional("ledger")?.absolutePath() ?? Self.defaultLedger
        netns = try top.optional("netns")?.absolutePath()
        let map = try top.required("cloud").mapping(allowing: Self.cloudKeys)
        func endpoint(_ key: String, defaultPort: Int, tls: Bool) throws(ConfigError) -> HTTPEndpoint? {
            guard let field = map.optional(key) else { return nil }
            do { return try HTTPEndpoint(parsing: try field.string(), defaultPort: defaultPort, tls: tls) } catch {
                throw field.error("expected https://HOST[:PORT], http://HOST:PORT or HOST[:PORT]")
            }
        }
        let api = try endpoint("endpoint", defaultPort: 443, tls: true)
        cloud = Cloud(
            endpoint: api, vpcEndpoint: try endpoint("vpcEndpoint", defaultPort: 443, tls: true) ?? api,
            metadataEndpoint: try endpoint("metadataEndpoint", defaultPort: 80, tls: false) ?? MetadataClient.defaultEndpoint,
            regionId: try map.optional("regionId")?.string(),
            credentials: .ramRole(nil), signature: .v3, vSwitches: try map.optional("vSwitches")?.strings() ?? [],
            securityGroups: try map.optional("securityGroups")?.strings() ?? [],
            pool: Pool(minIdle: 2, maxIdle: 10, idleReclaimAfter: .seconds(300)),
            maxENIs: try map.optional("maxENIs")?.integer(in: 1...CloudPodRouting.maximumSlot),
            apiRates: [:], reconcileInterval: .seconds(try map.optional("reconcileInterval")?.number(in: 0.05...86400) ?? 60))
        if let field = map.optional("credentials") {
            let credentials = try field.mapping(allowing: ["file", "ramRole"])
            switch (credentials.optional("file"), credentials.optional("ramRole")) {
            case (let file?, nil): cloud.credentials = .file(try file.absolutePath())
            case (nil, let role?):
                let name = try role.string()
                cloud.credentials = .ramRole(name.isEmpty ? nil : name)
            default: throw field.error("expected exactly one of file (a credentials JSON file) or ramRole (a role name, \"\" for the instance's)")
            }
        }
        if let field = map.optional("signature") {
            switch try field.string() {
            case "v3": cloud.signature = .v3
            case "rpc": cloud.signature = .rpc
            case let other: throw field.error("expected v3 or rpc, found \"\(other)\"")
            }
        }
        if let field = map.optional("pool") {
            let pool = try field.mapping(allowing: ["minIdle", "maxIdle", "idleReclaimAfter"])
            cloud.pool.minIdle = try pool.optional("minIdle")?.integer(in: 0...10_000) ?? cloud.pool.minIdle
            cloud.pool.maxIdle = try pool.optional("maxIdle")?.integer(in: 0...10_000) ?? max(cloud.pool.maxIdle, cloud.pool.minIdle)
            if let seconds = try pool.optional("idleReclaimAfter")?.number(in: 0...86400 * 7) { cloud.pool.idleReclaimAfter = .seconds(seconds) }
            guard cloud.pool.maxIdle >= cloud.pool.minIdle else {
                throw field.error("maxIdle (\(cloud.pool.maxIdle)) must not be below minIdle (\(cloud.pool.minIdle))")
            }
        }
        if let field = map.optional("apiRates") {
            for (action, rate) in try field.entries() { cloud.apiRates[action] = try rate.number(in: 1...1_000_000) }
        }
    }

    /// Reads the `role` key only: which of the two configurations a file is.
    public static func role(ofYAML yaml: String) throws(ConfigError) -> String {
        guard case .mapping = try ConfigNode.document(yaml).node else { return "edge" }
        let top = try ConfigNode.document(yaml).mapping(allowing: Array(Set(Self.keys + AgentConfig.keys)))
        guard let field = top.optional("role") else { return "edge" }
        let role = try field.string()
        guard role == "edge" || role == "cloud" else { throw field.error("expected edge or cloud, found \"\(role)\"") }
        return role
    }

    /// The client's settings: calls per minute become the client's calls per second.
    func clientConfig(region: String) -> CloudClientConfig {
        CloudClientConfig(region: region, ecsEndpoint: cloud.endpoint, vpcEndpoint: cloud.vpcEndpoint, signature: cloud.signature,
                          ratePerAction: cloud.apiRates.mapValues { $0 / 60 }, defaultRate: 100, timeout: 10)
    }

    /// `terway-edged --check-config`.
    public var resolvedSettings: String {
        var lines = [
            "role: cloud", "node: \(node)", "controlSocket: \(controlSocket)", "metricsAddress: \(metricsAddress)",
            "addressSocket: \(addressSocket)", "ledger: \(ledger)", "netns: \(netns ?? "the agent's own")",
            "cloud.endpoint: \(cloud.endpoint.map { "\($0)" } ?? "the region's")",
            "cloud.vpcEndpoint: \(cloud.vpcEndpoint.map { "\($0)" } ?? "the region's")",
            "cloud.metadataEndpoint: \(cloud.metadataEndpoint)",
            "cloud.regionId: \(cloud.regionId ?? "the instance's")",
        ]
        switch cloud.credentials {
        case .file(let path): lines.append("cloud.credentials: file \(path)")
        case .ramRole(let role): lines.append("cloud.credentials: RAM role \(role ?? "of the instance")")
        }
        lines += [
            "cloud.signature: \(cloud.signature == .v3 ? "v3" : "rpc")",
            "cloud.vSwitches: \(cloud.vSwitches.isEmpty ? "the instance's" : cloud.vSwitches.joined(separator: ", "))",
            "cloud.securityGroups: \(cloud.securityGroups.isEmpty ? "the primary ENI's" : cloud.securityGroups.joined(separator: ", "))",
            "cloud.pool: minIdle \(cloud.pool.minIdle) maxIdle \(cloud.pool.maxIdle) idleReclaimAfter \(cloud.pool.idleReclaimAfter)",
            "cloud.maxENIs: \(cloud.maxENIs.map(String.init) ?? "the instance type's quota")",
            "cloud.reconcileInterval: \(cloud.reconcileInterval)",
        ]
        for action in cloud.apiRates.keys.sorted() { lines.append("cloud.apiRates.\(action): \(cloud.apiRates[action]!)/min") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension CloudAgentConfig {
    /// The lock file of the running agent, beside its control socket (as the edge role's).
    var lockFile: String { controlSocket + ".lock" }
}
