import CloudAPI
import CloudEmulator
import CloudENI
import CNI
import CNIProtocol
import Foundation
import HTTPClient
import POSIX

/// One cloud node in `te-` namespaces: the emulator in this process (API and metadata on
/// loopback, the VPC router and the instance's NICs in namespaces: an ENI attached to the
/// instance appears there as `ethN` with its MAC), and `terway-edged` role cloud as a
/// process whose netlink work happens in the node's namespace (`netns`).
public final class CloudLab: @unchecked Sendable {
    public let vpc: TestNamespace
    public let node: TestNamespace
    public let emulator: CloudEmulator
    public let servers: CloudEmulator.Servers
    public let folder: TemporaryDirectory
    public let client: CloudClient
    public let http: HTTPConnectionCache
    public var agent: BackgroundProcess?
    public let instanceId = "i-node"

    /// The agent's metrics port (nothing reads it; it must only be free, or the agent exits).
    public let metricsPort: Int
    public var addressSocket: String { folder.file("ip.sock") }
    public var controlSocket: String { folder.file("agent.sock") }
    public var ledger: String { folder.file("ledger") }

    /// `type`: the instance type (ecs.g6.large: 1 ENI of 5 pod addresses; ecs.g6.4xlarge: 7 of 19;
    /// ecs.g7.4xlarge: 7 of 19, each with an IPv6 partner where the vSwitch has `ipv6Cidr`).
    /// `deny`: actions the agent's access key's RAM policy does not allow.
    public init(type: String = "ecs.g6.4xlarge", ipv6Cidr: String? = nil, delays: String = "{ attach: 0.1, detach: 0.1, metadata: 0.05 }", faults: String = "",
                deny: [String] = []) async throws {
        // Off the cooperative pool (`ip netns add` blocks): in-process emulators share it.
        (vpc, node) = try await offPool { (try TestNamespace("cvpc"), try TestNamespace("cnode")) }
        folder = try TemporaryDirectory("te-cloud-agent")
        metricsPort = try LoopbackPorts.free(1)[0]
        let world = """
        region: cn-hangzhou
        zones: [cn-hangzhou-h]
        vpc: { id: vpc-lab, cidrs: [192.168.0.0/16], namespace: \(vpc.name) }
        vSwitches:
          - { id: vsw-tiny, zone: cn-hangzhou-h, cidr: 192.168.32.0/29 }
          - { id: vsw-a, zone: cn-hangzhou-h, cidr: 192.168.0.0/20\(ipv6Cidr.map { ", ipv6Cidr: \"\($0)\"" } ?? "") }
        securityGroups: [sg-lab]
        instanceTypes:
          - { id: ecs.g6.large, eniQuantity: 2, eniPrivateIpAddressQuantity: 6, eniIpv6AddressQuantity: 1 }
          - { id: ecs.g6.4xlarge, eniQuantity: 8, eniPrivateIpAddressQuantity: 20, eniIpv6AddressQuantity: 1 }
          - { id: ecs.g7.4xlarge, eniQuantity: 8, eniPrivateIpAddressQuantity: 20, eniIpv6AddressQuantity: 20 }
        instances:
          - { id: \(instanceId), type: \(type), vSwitch: vsw-a, primaryIP: 192.168.0.10, namespace: \(node.name) }
        accessKeys:
          - { id: LTAI-lab, secret: lab-secret, deny: [\(deny.joined(separator: ", "))] }
        metadataDefaultInstance: \(instanceId)
        delays: \(delays)
        \(faults)
        """
        emulator = try CloudEmulator(world: try EmulatorWorld.load(yaml: world))
        servers = try await emulator.serve(api: "127.0.0.1:0", metadata: "127.0.0.1:0")
        http = HTTPConnectionCache(connectTimeout: 2, tls: nil)
        let endpoint = HTTPEndpoint(host: "127.0.0.1", port: servers.api.port)
        client = CloudClient(config: CloudClientConfig(region: "cn-hangzhou", ecsEndpoint: endpoint, vpcEndpoint: endpoint,
                                                       retry: RetryPolicy(maxAttempts: 16, baseDelay: 0.005, maxDelay: 0.05),
                                                       defaultRate: 10_000, timeout: 5),
                             transport: http, credentials: StaticCredentials(CloudCredentials(accessKeyId: "LTAI-lab", accessKeySecret: "lab-secret")))
        try folder.write("credentials", "access_key_id: LTAI-lab\naccess_key_secret: lab-secret\n")
    }

    public func config(pool: String = "{ minIdle: 2, maxIdle: 6, idleReclaimAfter: 1 }", reconcileInterval: Double = 60,
                vSwitches: String = "[vsw-a]", extra: String = "") -> String {
        """
        role: cloud
        node: cloud-1
        controlSocket: \(controlSocket)
        metricsAddress: 127.0.0.1:\(metricsPort)
        addressSocket: \(addressSocket)
        ledger: \(ledger)
        netns: \(node.path)
        cloud:
          endpoint: http://127.0.0.1:\(servers.api.port)
          metadataEndpoint: http://127.0.0.1:\(servers.metadata.port)
          credentials: { file: \(folder.file("credentials")) }
          signature: v3
          vSwitches: \(vSwitches)
          securityGroups: [sg-lab]
          pool: \(pool)
          reconcileInterval: \(reconcileInterval)
        \(extra)
        """
    }

    /// Starts the agent and waits until its address socket answers. Off the cooperative
    /// pool: the emulator serving the agent runs on it.
    public func startAgent(_ yaml: String) async throws {
        try await offPool { try self.startAgentBlocking(yaml) }
    }

    /// Starts the agent without waiting for it: the crash tests kill it part way through its start.
    @discardableResult
    public func launchAgent(_ yaml: String) throws -> BackgroundProcess {
        try folder.write("agent.yaml", yaml)
        let process = try BackgroundProcess([try builtExecutable("terway-edged"), "--config", folder.file("agent.yaml")],
                                            logFile: folder.file("agent.log"))
        agent = process
        return process
    }

    public func startAgentBlocking(_ yaml: String) throws {
        let process = try launchAgent(yaml)
        let up = waitUntil(timeout: 30, interval: 0.05) {
            (try? request(.lookup(PodAttachmentKey(containerID: "probe", ifName: "eth0")))) != nil || !process.isRunning
        }
        guard up, process.isRunning else { throw TestEnvironmentError("the agent did not start: \(log)") }
    }

    public func killAgent() {
        agent?.signal(SIGKILL)
        _ = waitUntil(timeout: 5) { agent?.isRunning != true }
        agent = nil
    }

    /// SIGTERM, and waits for the agent to end.
    public func stopAgent() async {
        _ = try? await offPool { self.agent?.terminate(); self.agent = nil }
    }

    public var log: String { (try? String(contentsOfFile: folder.file("agent.log"), encoding: .utf8)) ?? "" }

    /// One request on the address socket, as the plugin makes it.
    public func request(_ request: PodAddressRequest) throws -> PodAddressAnswer {
        try PodAddressClient(path: addressSocket).send(request)
    }

    public func request(_ request: PodAddressRequest) async throws -> PodAddressAnswer {
        try await offPool { try self.request(request) }
    }

    public func allocate(_ id: String) async throws -> PodAddressAnswer {
        try await offPool { try self.allocate(id) }
    }

    public func release(_ id: String) async throws {
        try await offPool { try self.release(id) }
    }

    public func status() async throws -> AgentStatusJSON {
        try await offPool { try self.status() }
    }

    public func killAgent() async {
        _ = try? await offPool { self.killAgent() }
    }

    public func allocate(_ id: String) throws -> PodAddressAnswer {
        try request(.allocate(PodAttachmentKey(containerID: id, ifName: "eth0"), pod: PodReference(namespace: "default", name: id)))
    }

    public func release(_ id: String) throws {
        let answer = try request(.release(PodAttachmentKey(containerID: id, ifName: "eth0")))
        guard case .released = answer else { throw TestEnvironmentError("release of \(id) refused: \(answer)") }
    }

    public func status() throws -> AgentStatusJSON {
        let bytes = try UnixStreamSocket.exchange(path: controlSocket, request: Array(#"{"command":"status"}"#.utf8), limit: 1 << 20)
        return try JSONDecoder().decode(AgentStatusJSON.self, from: Data(bytes))
    }

    /// `terway-edge status --output FORMAT` against the agent, as an operator runs it.
    public func statusCommand(output: String) async throws -> String {
        try await offPool { try run([try builtExecutable("terway-edge"), "status", "--socket", self.controlSocket, "--output", output]).stdout }
    }

    /// The ENIs of ours the cloud holds for the instance, and their secondary addresses.
    public func cloudENIs() async throws -> [NetworkInterface] {
        try await client.describeNetworkInterfaces(tags: ["terway-edge-instance": instanceId])
    }

    public func cloudAddresses() async throws -> Set<String> {
        Set(try await cloudENIs().flatMap { eni in eni.privateIPs.filter { $0 != eni.primaryIP } })
    }

    /// What leaked: addresses (IPv4 and IPv6) and ENIs in the cloud that the agent's pool does not hold.
    public func leaks() async throws -> (addresses: Int, enis: Int) {
        let state = try await status()
        let cloud = try await cloudENIs()
        let held = Set(state.cloud.enis.map { String($0.prefix { $0 != " " }) })
        let cloudAddresses = cloud.reduce(0) { $0 + $1.privateIPs.count - 1 }
        let cloudIPv6 = cloud.reduce(0) { $0 + $1.ipv6s.count }
        return (cloudAddresses - state.cloud.poolSize + cloudIPv6 - (state.cloud.ipv6PoolSize ?? 0), Set(cloud.map(\.id)).subtracting(held).count)
    }

    /// Synchronous, for `defer`: the agent and the namespaces are gone when it returns.
    public func stop() {
        agent?.terminate()
        node.delete()
        vpc.delete()
        let servers = servers, http = http
        Task { await servers.close(); await http.closeAll() }
    }

    /// `leaks()` once the pool is quiet: a batch or a trim in flight between the status and
    /// the cloud's answer would read as a difference.
    public func settledLeaks(timeout: Duration = .seconds(10)) async throws -> (addresses: Int, enis: Int) {
        let deadline = ContinuousClock.now + timeout
        var leaks = try await leaks()
        while leaks != (0, 0), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            leaks = try await self.leaks()
        }
        return leaks
    }
}

/// The parts of `terway-edge status --output json` the tests read.
public struct AgentStatusJSON: Decodable, Sendable {
    public var role: String
    public var problems: [String]
    public var cloud: Cloud

    public struct Cloud: Decodable, Sendable {
        public var poolSize: Int
        /// nil on a node without IPv6.
        public var ipv6PoolSize: Int?
        public var idle: Int
        public var inUse: Int
        public var enis: [String]
        public var leaksRepaired: Int
        public var routesRepaired: Int
        public var intentsOpen: Int
        public var apiCalls: [String: Int]
        public var apiThrottled: [String: Int]
    }
}
