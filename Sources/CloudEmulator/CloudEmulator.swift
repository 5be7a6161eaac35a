import CloudAPI
import Foundation
import JSON
import NetworkCore

/// The emulated Alibaba Cloud: ECS/VPC API semantics (`EmulatorEngine`), signature checks,
/// injected faults, instance metadata per source address, the datapath, and the state file.
/// One actor, so calls apply in order as on the service; the HTTP servers feed it.
public actor CloudEmulator {
    public let world: EmulatorWorld
    private var engine: EmulatorEngine
    private let statePath: String?
    private let datapath: EmulatorDatapath?
    private var faults: EmulatorFaults
    private var nonces = RecentSet(capacity: 100_000)
    private var metadataTokens: [String: (instance: String, expires: Double)] = [:]
    private var requestSerial: UInt64 = 0

    /// Loads the state (if the world names a file), and builds the datapath when the VPC
    /// has a namespace.
    public init(world: EmulatorWorld, statePath: String? = nil) throws {
        let path = statePath ?? world.state
        let state = try path.map(EmulatorState.load(path:)) ?? EmulatorState()
        let engine = EmulatorEngine(world: world, state: state, now: Date().timeIntervalSince1970)
        let datapath = try world.vpc.namespace.map { try EmulatorDatapath(vpcNamespace: $0, instances: world.instances) }
        if let datapath {
            for eni in engine.state.enis.values where eni.phase == .inUse {
                try Self.plug(eni, engine: engine, datapath: datapath)
            }
        }
        try engine.state.save(optionally: path)
        self.world = world
        self.statePath = path
        self.engine = engine
        self.datapath = datapath
        faults = EmulatorFaults(world.faults)
    }

    private static func plug(_ eni: ENIRecord, engine: EmulatorEngine, datapath: EmulatorDatapath) throws {
        guard let instance = eni.instanceId, let index = eni.deviceIndex,
              let vsw = engine.world.vSwitches.first(where: { $0.id == eni.vSwitchId }) else { return }
        try datapath.plug(instanceId: instance, deviceIndex: index, mac: eni.macAddress, addresses: eni.privateIPs + eni.ipv6s.map(\.address),
                          vSwitchCIDR: vsw.cidr, vSwitchIPv6CIDR: vsw.ipv6Cidr)
    }

    /// Moves delayed transitions along; the servers call it a few times a second.
    public func tick() {
        let changes = engine.settle(now: Date().timeIntervalSince1970)
        guard !changes.isEmpty else { return }
        apply(changes)
        persist()
    }

    private func apply(_ changes: [DatapathChange]) {
        guard let datapath else { return }
        for change in changes {
            do {
                switch change {
                case .plug(let id):
                    if let eni = engine.state.enis[id] { try Self.plug(eni, engine: engine, datapath: datapath) }
                case .unplug(_, let instance, let index):
                    try datapath.unplug(instanceId: instance, deviceIndex: index)
                case .route(let address, let id):
                    if let eni = engine.state.enis[id], let instance = eni.instanceId, let index = eni.deviceIndex,
                       let mac = MACAddress(eni.macAddress) {
                        let vSwitchIPv6CIDR = engine.world.vSwitches.first { $0.id == eni.vSwitchId }?.ipv6Cidr
                        try datapath.route(address, instanceId: instance, deviceIndex: index, mac: mac, vSwitchIPv6CIDR: vSwitchIPv6CIDR)
                    }
                case .unroute(let address):
                    try datapath.unroute(address)
                }
            } catch {
                log("datapath: \(change): \(error)")
            }
        }
    }

    private func persist() {
        do { try engine.state.save(optionally: statePath) } catch { log("state: \(error)") }
    }

    private func nextRequestId() -> String {
        requestSerial += 1
        let hex = String(requestSerial, radix: 16, uppercase: true)
        let tail = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "7A3B6C1E-5D2F-4E8A-9B0C-\(tail)"
    }

    // MARK: - API

    func handleAPI(_ request: EmulatorRequest) async -> EmulatorResponse {
        let requestId = nextRequestId()
        if faults.latency > 0 { try? await Task.sleep(for: .seconds(faults.latency)) }
        let now = Date().timeIntervalSince1970
        tick()
        do {
            let authenticator = EmulatorAuthenticator(world: world)
            let (call, nonce) = try authenticator.authenticate(request, now: now) { [engine] id in
                if let key = engine.world.accessKeys.first(where: { $0.id == id }) { return (key.secret, key.deny ?? [], nil, false) }
                guard let sts = engine.state.stsCredentials[id] else { return nil }
                let role = engine.world.ramRoles.first { $0.name == sts.role }
                return (sts.secret, role?.deny ?? [], sts.token, sts.expiration <= now)
            }
            guard nonces.insert(nonce) else {
                throw EmulatorFault("SignatureNonceUsed", "Specified signature nonce was used already.")
            }
            if call.denied.contains(call.action) {
                let product = call.version == CloudService.vpc.version ? "vpc" : "ecs"
                throw EmulatorFault("Forbidden.RAM", "User not authorized to operate on the specified resource, or this API doesn't support RAM. (missing permission \(product):\(call.action))", status: 403)
            }
            if let refusal = faults.refusal(action: call.action, now: now) { throw refusal }
            let (result, changes) = try engine.call(version: call.version, action: call.action, parameters: call.parameters, now: now)
            var answer = result
            apply(changes)
            persist()
            if let lost = faults.losesAnswer() { throw lost }
            answer["RequestId"] = .string(requestId)
            return .json(200, JSONValue.object(answer).serialized())
        } catch {
            let fault = error as? EmulatorFault ?? EmulatorFault("InternalError", "\(error)", status: 500)
            let body: JSONValue = ["RequestId": .string(requestId), "HostId": "127.0.0.1", "Code": .string(fault.code),
                                   "Message": .string(fault.message), "Recommend": .string("https://api.aliyun.com/troubleshoot?q=\(fault.code)")]
            return .json(fault.status, body.serialized())
        }
    }

    // MARK: - Metadata

    /// Answers as the instance whose primary IP sent the request (or the default instance
    /// for loopback), after checking the session token.
    func handleMetadata(_ request: EmulatorRequest) -> EmulatorResponse {
        let now = Date().timeIntervalSince1970
        tick()
        let source = request.source
        guard let instance = world.instances.first(where: { $0.primaryIP == source })?.id ?? world.metadataDefaultInstance else {
            return .text(404, "no instance has the address \(source)")
        }
        if request.path == "/latest/api/token" {
            guard request.method == "PUT" else { return .text(405, "Method Not Allowed") }
            guard let ttl = request.header("x-aliyun-ecs-metadata-token-ttl-seconds").flatMap({ Int($0) }), (1...21600).contains(ttl) else {
                return .text(400, "X-aliyun-ecs-metadata-token-ttl-seconds must be 1 to 21600")
            }
            let token = UUID().uuidString.lowercased() + UUID().uuidString.lowercased()
            metadataTokens = metadataTokens.filter { $0.value.expires > now }
            metadataTokens[token] = (instance, now + Double(ttl))
            return .text(200, token)
        }
        guard request.method == "GET" else { return .text(405, "Method Not Allowed") }
        guard let token = request.header("x-aliyun-ecs-metadata-token"), let entry = metadataTokens[token],
              entry.instance == instance, entry.expires > now else {
            return .text(401, "Unauthorized")
        }
        let path = String(request.path)
        let rolePrefix = "/latest/meta-data/ram/security-credentials/"
        if path.hasPrefix(rolePrefix), path.count > rolePrefix.count {
            let role = String(path.dropFirst(rolePrefix.count))
            guard world.instances.first(where: { $0.id == instance })?.ramRole == role else { return .text(404, "Not Found") }
            let answer = engine.issueCredentials(role: role, now: now)
            persist()
            return .json(200, JSONValue.object(answer).serialized())
        }
        return engine.metadata(path: path, instanceId: instance, now: now)
    }
}

func log(_ text: String) {
    FileHandle.standardError.write(Data("cloud-emulator: \(text)\n".utf8))
}

extension EmulatorState {
    func save(optionally path: String?) throws {
        if let path { try save(path: path) }
    }
}

/// The nonces seen lately: the service refuses a signature nonce used before.
struct RecentSet {
    let capacity: Int
    private var members = Set<String>()
    private var order: [String] = []
    private var head = 0

    init(capacity: Int) { self.capacity = capacity }

    /// False when `value` was seen.
    mutating func insert(_ value: String) -> Bool {
        guard members.insert(value).inserted else { return false }
        if order.count < capacity {
            order.append(value)
        } else {
            members.remove(order[head])
            order[head] = value
            head = (head + 1) % capacity
        }
        return true
    }
}
