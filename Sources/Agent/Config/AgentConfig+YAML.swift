import BGP
import ConfigFile
import NetworkCore
import Plan
import RouteSync
import SubnetStore

extension AgentConfig {
    /// What the environment supplies for keys the file leaves out: the host name and the
    /// source address of the default route. Injected so tests and `--check-config` agree.
    public struct Environment: Sendable {
        public var hostName: @Sendable () -> String?
        public var defaultRouteSource: @Sendable (IPFamily) -> IPAddress?
        public var readFile: @Sendable (String) throws -> String

        public init(hostName: @escaping @Sendable () -> String?, defaultRouteSource: @escaping @Sendable (IPFamily) -> IPAddress?,
                    readFile: @escaping @Sendable (String) throws -> String) {
            self.hostName = hostName
            self.defaultRouteSource = defaultRouteSource
            self.readFile = readFile
        }
    }

    static let keys = ["role", "plan", "domain", "node", "nodeAddress", "store", "subnetFile", "controlSocket",
                       "metricsAddress", "leaseTTL", "routes", "bgp", "masquerade"]

    /// Parses and resolves the agent's YAML. Every refusal names the line and the field; the
    /// plan is read through `environment.readFile` (a relative path is taken from `folder`).
    public init(yaml: String, folder: String = ".", environment: Environment) throws(ConfigError) {
        let top = try ConfigNode.document(yaml).mapping(allowing: Self.keys)
        if let role = top.optional("role"), try role.string() != "edge" { throw role.error("expected edge") }
        let planField = try top.required("plan")
        let planText = try planField.string()
        planPath = planText.hasPrefix("/") ? planText : "\(folder)/\(planText)"
        let planYAML: String
        do { planYAML = try environment.readFile(planPath) } catch {
            throw planField.error("cannot read the plan \(planPath): \(error)")
        }
        do { plan = try Plan(yaml: planYAML) } catch {
            throw planField.error("the plan \(planPath) is not valid: \(error)")
        }
        // An unsound plan (overlapping blocks, subnets too small...) would give the node
        // leases and routes that collide: refuse it, as `plan check` would.
        let errors = PlanChecker.check(plan).filter { $0.severity == .error }
        if let first = errors.first {
            let lines = first.subjects.map { "line \($0.line) \($0.field)" }.joined(separator: ", ")
            throw planField.error("the plan \(planPath) is not sound (\(errors.count) error\(errors.count == 1 ? "" : "s")): "
                + "\(first.kind.rawValue): \(first.message) (\(lines)); fix: \(first.hint); `terway-edge plan check \(planPath)` lists every finding")
        }

        node = try environment.nodeName(top)
        if let field = top.optional("nodeAddress") {
            nodeAddress = try field.address()
        } else if let found = environment.defaultRouteSource(.v4) ?? environment.defaultRouteSource(.v6) {
            nodeAddress = found
        } else {
            throw top.missing("nodeAddress", "there is no default route to take the source address from; set nodeAddress")
        }
        domain = try Self.domain(of: plan, named: top.optional("domain"), holding: nodeAddress, top: top)
        // The node's address of the other family, when its default route leaves from the
        // node network: peers route that family's subnet through it.
        nodeAddresses = [nodeAddress]
        let other: IPFamily = nodeAddress.family == .v4 ? .v6 : .v4
        if let second = environment.defaultRouteSource(other), domain.nodeNetworks.contains(where: { $0.cidr.prefix.contains(second) }) {
            nodeAddresses.append(second)
        }

        store = Self.defaultStore
        if let field = top.optional("store") {
            store = try field.string()
            do { try LeaseStoreFactory.check(url: store) } catch { throw field.error(error.description) }
        }
        subnetFile = try top.optional("subnetFile")?.absolutePath() ?? Self.defaultSubnetFile
        controlSocket = try top.optional("controlSocket")?.socketPath() ?? Self.defaultControlSocket
        metricsAddress = try top.optional("metricsAddress")?.metricsEndpoint() ?? Self.defaultMetricsAddress
        leaseTTL = .seconds(try top.optional("leaseTTL")?.integer(in: 10...86400 * 7) ?? 3600)
        routes = RouteSyncConfig()
        if let field = top.optional("routes") { try routes.readRoutes(field) }
        bgp = AgentBGPConfig()
        if let field = top.optional("bgp") { bgp = try AgentBGPConfig(field, routes: &routes) }
        do { routes = try routes.validated() } catch {
            throw ConfigError(line: top.line, field: error.key, error.reason)
        }
        masquerade = try top.optional("masquerade")?.bool() ?? true

        if bgp.routerID == nil, case .v4(let address) = nodeAddress { bgp.routerID = address }
        guard bgp.routerID != nil else {
            throw ConfigError(line: top.line, field: "bgp.routerID", "the node address is IPv6; set bgp.routerID to an IPv4 address")
        }
        guard !pools.isEmpty else {
            throw planField.error("edge domain \(domain.name) gives no nodeSubnetLength for its pod CIDRs")
        }
    }

    /// The named domain, or the one whose node networks hold the node's address.
    private static func domain(of plan: Plan, named field: ConfigNode?, holding address: IPAddress,
                               top: ConfigMapping) throws(ConfigError) -> Plan.EdgeDomain {
        let names = plan.edgeDomains.map(\.name).joined(separator: ", ")
        if let field {
            let name = try field.string()
            guard let domain = plan.edgeDomains.first(where: { $0.name == name }) else {
                throw field.error("the plan has no edge domain '\(name)'; it has \(names)")
            }
            return domain
        }
        let holding = plan.edgeDomains.filter { $0.nodeNetworks.contains { $0.cidr.prefix.contains(address) } }
        guard holding.count == 1 else {
            throw top.missing("domain", holding.isEmpty
                ? "no edge domain's nodeNetworks hold the node address \(address); set domain (one of \(names))"
                : "several edge domains hold \(address); set domain")
        }
        return holding[0]
    }
}

extension AgentBGPConfig {
    init(_ field: ConfigNode, routes: inout RouteSyncConfig) throws(ConfigError) {
        let map = try field.mapping(allowing: ["advertise", "routerID", "holdTime", "connectRetryTime", "password",
                                                "gtsm", "restartTime", "kernel"])
        if let advertiseField = map.optional("advertise") {
            let text = try advertiseField.string()
            guard let advertise = NodeAdvertisement(rawValue: text) else {
                throw advertiseField.error("expected one of \(NodeAdvertisement.allCases.map(\.rawValue).joined(separator: ", ")), found \"\(text)\"")
            }
            self.advertise = advertise
        }
        if let idField = map.optional("routerID") {
            guard case .v4(let id) = try idField.address(), id.value != 0 else {
                throw idField.error("expected a non-zero IPv4 address")
            }
            routerID = id
        }
        if let holdField = map.optional("holdTime") {
            let hold = try holdField.integer(in: 0...65535)
            // RFC 4271 4.2: zero or at least three seconds.
            guard hold == 0 || hold >= 3 else { throw holdField.error("expected 0 or 3 to 65535, found \(hold)") }
            holdTime = UInt16(hold)
        }
        if let retry = try map.optional("connectRetryTime")?.integer(in: 1...65535) { connectRetryTime = UInt16(retry) }
        if let passwordField = map.optional("password") {
            let text = try passwordField.string()
            // Empty turns the plan's password off for this node; TCP_MD5SIG_MAXKEYLEN is 80.
            guard text.utf8.count <= 80 else { throw passwordField.error("expected at most 80 bytes") }
            password = .some(text.isEmpty ? nil : text)
        }
        gtsm = try map.optional("gtsm")?.bool()
        if let time = try map.optional("restartTime")?.integer(in: 1...4095) { restartTime = UInt16(time) }
        if let kernelField = map.optional("kernel") {
            if case .scalar = kernelField.node {
                kernel = try kernelField.bool()
            } else {
                try routes.readKernel(kernelField)
            }
        }
    }
}

extension ConfigNode {
    func absolutePath() throws(ConfigError) -> String {
        let path = try string()
        guard path.hasPrefix("/") else { throw error("expected an absolute path, found \"\(path)\"") }
        return path
    }

    func metricsEndpoint() throws(ConfigError) -> SocketEndpoint {
        let text = try string()
        guard let endpoint = SocketEndpoint(text), text.hasSuffix(":\(endpoint.port)") else {
            throw error("expected ADDRESS:PORT or [IPV6]:PORT")
        }
        return endpoint
    }

    /// A Unix socket path: absolute and within sun_path's 108 bytes.
    func socketPath() throws(ConfigError) -> String {
        let path = try absolutePath()
        guard path.utf8.count < 108 else { throw error("a socket path must be shorter than 108 bytes") }
        return path
    }
}

extension ConfigMapping {
    func missing(_ key: String, _ message: String) -> ConfigError {
        ConfigError(line: line, field: key, message)
    }
}
