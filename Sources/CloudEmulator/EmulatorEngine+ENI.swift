import CloudAPI
import JSON

/// The ENI life cycle: create, attach, detach, delete.
extension EmulatorEngine {
    mutating func createNetworkInterface(_ p: EmulatorParameters, now: Double) throws(EmulatorFault) -> JSONObject {
        let vsw = try vSwitch(try p.required("VSwitchId"))
        let groups = p.list("SecurityGroupIds") + (p.optional("SecurityGroupId").map { [$0] } ?? [])
        guard !groups.isEmpty else { throw .missing("SecurityGroupId") }
        for group in groups where !world.securityGroups.contains(group) {
            throw EmulatorFault("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId \(group) does not exist.", status: 404)
        }
        let explicit = p.list("PrivateIpAddress")
        let count = try p.int("SecondaryPrivateIpAddressCount", default: 0, range: 0...49)
        let v6Count = try p.int("Ipv6AddressCount", default: 0, range: 0...10)
        let primary = p.optional("PrimaryIpAddress")
        try check(explicit: explicit + (primary.map { [$0] } ?? []), in: vsw.cidr, vSwitchId: vsw.id)
        guard let picked = pick(1 + count - (primary == nil ? 0 : 1), in: vsw.cidr, vSwitchId: vsw.id) else {
            throw EmulatorFault("InvalidVSwitchId.IpNotEnough", "The specified vSwitch \(vsw.id) does not have enough IP addresses.", status: 403)
        }
        var v6: [String] = []
        if v6Count > 0 {
            guard let block = vsw.ipv6Cidr else {
                throw EmulatorFault("InvalidVSwitchId.Ipv6NotTurnOn", "The vSwitch \(vsw.id) has no IPv6 CIDR block.", status: 403)
            }
            v6 = pick(v6Count, in: block, vSwitchId: vsw.id) ?? []
        }
        let id = nextId(prefix: "eni-")
        let addresses = (primary.map { [$0] } ?? []) + picked + explicit
        let eni = ENIRecord(
            id: id, primary: false, vSwitchId: vsw.id, zoneId: vsw.zone, macAddress: nextMAC(), primaryIP: addresses[0],
            secondaryIPs: addresses.dropFirst().map { TimedAddress(address: $0, since: now) },
            ipv6s: v6.map { TimedAddress(address: $0, since: now) }, securityGroupIds: groups, tags: p.tags(),
            description: p.optional("Description") ?? "", instanceId: nil, deviceIndex: nil,
            phase: .available, phaseSince: now, created: now)
        state.enis[id] = eni
        return view(eni).json
    }

    mutating func attachNetworkInterface(_ p: EmulatorParameters, now: Double) throws(EmulatorFault) -> JSONObject {
        var eni = try eni(try p.required("NetworkInterfaceId"))
        let instance = try instance(try p.required("InstanceId"))
        let status = instance.status ?? "Running"
        guard status == "Running" || status == "Stopped" else {
            throw EmulatorFault("IncorrectInstanceStatus", "The current status of the resource does not support this operation (instance \(instance.id) is \(status)).", status: 403)
        }
        guard eni.phase == .available, eni.instanceId == nil else { throw .eniState(eni.id, eni.phase) }
        let vsw = try vSwitch(instance.vSwitch)
        guard vsw.zone == eni.zoneId else {
            throw EmulatorFault("InvalidOperation.AvailabilityZoneMismatch", "ENI \(eni.id) is in \(eni.zoneId), instance \(instance.id) in \(vsw.zone).", status: 403)
        }
        let onInstance = state.enis.values.filter { $0.instanceId == instance.id }
        guard onInstance.count < quota(of: instance).eniQuantity else {
            throw EmulatorFault("EniPerInstanceLimitExceeded", "The number of ENIs attached to instance \(instance.id) has reached the upper limit of \(quota(of: instance).eniQuantity) for \(instance.type).", status: 403)
        }
        let taken = Set(onInstance.compactMap(\.deviceIndex))
        eni.deviceIndex = (1...).first { !taken.contains($0) }
        eni.instanceId = instance.id
        eni.phase = .attaching
        eni.phaseSince = now
        state.enis[eni.id] = eni
        return JSONObject()
    }

    mutating func detachNetworkInterface(_ p: EmulatorParameters, now: Double) throws(EmulatorFault) -> JSONObject {
        var eni = try eni(try p.required("NetworkInterfaceId"))
        let instance = try instance(try p.required("InstanceId"))
        guard !eni.primary else {
            throw EmulatorFault("InvalidOperation.DetachPrimaryEniNotAllowed", "The primary ENI of an instance cannot be detached.", status: 403)
        }
        guard eni.instanceId == instance.id else {
            throw EmulatorFault("InvalidEniId.NotAttached", "ENI \(eni.id) is not attached to \(instance.id).", status: 403)
        }
        guard eni.phase == .inUse else { throw .eniState(eni.id, eni.phase) }
        eni.phase = .detaching
        eni.phaseSince = now
        state.enis[eni.id] = eni
        return JSONObject()
    }

    mutating func deleteNetworkInterface(_ p: EmulatorParameters) throws(EmulatorFault) -> JSONObject {
        let eni = try eni(try p.required("NetworkInterfaceId"))
        guard !eni.primary, eni.phase == .available else { throw .eniState(eni.id, eni.phase) }
        state.enis[eni.id] = nil
        return JSONObject()
    }
}
