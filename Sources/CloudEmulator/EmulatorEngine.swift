import CloudAPI
import JSON
import NetworkCore

/// What a change means for the datapath; `EmulatorDatapath` carries it out.
enum DatapathChange: Sendable, Equatable {
    case plug(eniId: String)
    case unplug(eniId: String, instanceId: String, deviceIndex: Int)
    case route(address: String, eniId: String)
    case unroute(address: String)
}

/// The service's semantics over the world and its state, with the clock passed in: quotas,
/// error codes, ENI status transitions, ClientToken deduplication. No I/O: each call
/// returns its answer and the datapath changes it causes.
struct EmulatorEngine: Sendable {
    let world: EmulatorWorld
    var state: EmulatorState

    init(world: EmulatorWorld, state: EmulatorState, now: Double) {
        self.world = world
        self.state = state
        for instance in world.instances where !self.state.enis.values.contains(where: { $0.primary && $0.instanceId == instance.id }) {
            let vsw = world.vSwitches.first { $0.id == instance.vSwitch }!
            let id = nextId(prefix: "eni-")
            self.state.enis[id] = ENIRecord(
                id: id, primary: true, vSwitchId: vsw.id, zoneId: vsw.zone, macAddress: nextMAC(), primaryIP: instance.primaryIP,
                secondaryIPs: [], ipv6s: [], securityGroupIds: Array(world.securityGroups.prefix(1)), tags: [:],
                description: "primary ENI of \(instance.id)", instanceId: instance.id, deviceIndex: 0,
                phase: .inUse, phaseSince: now, created: now)
        }
    }

    /// Ids that look like the service's (`eni-` and 20 characters), unique per state.
    mutating func nextId(prefix: String) -> String {
        state.serial += 1
        var x = state.serial &* 0x9E37_79B9_7F4A_7C15
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var text = prefix + "bp1"
        for _ in 0..<17 {
            text.append(alphabet[Int(x % 36)])
            x = x / 36 &+ state.serial &* 0xBF58_476D_1CE4_E5B9
        }
        return text
    }

    /// Alibaba Cloud's OUI (00:16:3e) and three bytes from the serial.
    mutating func nextMAC() -> String {
        state.serial += 1
        let s = state.serial
        func two(_ b: UInt64) -> String { let h = String(b & 0xFF, radix: 16); return h.count == 1 ? "0" + h : h }
        return "00:16:3e:\(two(s >> 16)):\(two(s >> 8)):\(two(s))"
    }

    // MARK: - Transitions

    /// Moves ENIs whose delay has passed: Attaching to InUse, Detaching to Available.
    mutating func settle(now: Double) -> [DatapathChange] {
        var changes: [DatapathChange] = []
        for id in state.enis.keys.sorted() {
            guard var eni = state.enis[id] else { continue }
            switch eni.phase {
            case .attaching where now >= eni.phaseSince + world.delays.attach:
                eni.phase = .inUse
                eni.phaseSince = now
                changes.append(.plug(eniId: id))
            case .detaching where now >= eni.phaseSince + world.delays.detach:
                if let instance = eni.instanceId, let index = eni.deviceIndex {
                    changes.append(.unplug(eniId: id, instanceId: instance, deviceIndex: index))
                }
                eni.phase = .available
                eni.phaseSince = now
                eni.instanceId = nil
                eni.deviceIndex = nil
            default: continue
            }
            state.enis[id] = eni
        }
        return changes
    }

    /// The status the API shows.
    func status(_ eni: ENIRecord) -> String { eni.phase.rawValue }

    func instance(_ id: String) throws(EmulatorFault) -> EmulatorWorld.Instance {
        guard let instance = world.instances.first(where: { $0.id == id }) else { throw .instanceNotFound(id) }
        return instance
    }

    func quota(of instance: EmulatorWorld.Instance) -> InstanceTypeQuota {
        world.instanceTypes.first { $0.id == instance.type }!
    }

    func eni(_ id: String) throws(EmulatorFault) -> ENIRecord {
        guard let eni = state.enis[id] else { throw .eniNotFound(id) }
        return eni
    }

    func view(_ eni: ENIRecord) -> NetworkInterface {
        NetworkInterface(id: eni.id, status: status(eni), type: eni.primary ? "Primary" : "Secondary", vpcId: world.vpc.id,
                         vSwitchId: eni.vSwitchId, zoneId: eni.zoneId, macAddress: eni.macAddress, primaryIP: eni.primaryIP,
                         privateIPs: eni.privateIPs, ipv6s: eni.ipv6s.map(\.address), instanceId: eni.instanceId,
                         securityGroupIds: eni.securityGroupIds, tags: eni.tags, description: eni.description)
    }
}
