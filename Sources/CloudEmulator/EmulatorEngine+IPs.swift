import CloudAPI
import JSON

/// Secondary private IPv4 and IPv6 addresses of an ENI.
extension EmulatorEngine {
    /// The per-ENI quotas: the instance type's when attached; an unattached ENI is held to
    /// the largest of the world's types (assumed: the service checks again at attach time).
    func quotaFor(_ eni: ENIRecord) -> InstanceTypeQuota {
        if let id = eni.instanceId, let instance = world.instances.first(where: { $0.id == id }) { return quota(of: instance) }
        return InstanceTypeQuota(id: "-", eniQuantity: 0,
                                 eniPrivateIpAddressQuantity: world.instanceTypes.map(\.eniPrivateIpAddressQuantity).max() ?? 0,
                                 eniIpv6AddressQuantity: world.instanceTypes.map(\.eniIpv6AddressQuantity).max() ?? 0)
    }

    func mutable(_ id: String) throws(EmulatorFault) -> ENIRecord {
        let eni = try eni(id)
        guard eni.phase == .available || eni.phase == .inUse else { throw .eniState(eni.id, eni.phase) }
        return eni
    }

    mutating func assignPrivateIpAddresses(_ p: EmulatorParameters, now: Double) throws(EmulatorFault) -> (JSONObject, [DatapathChange]) {
        var eni = try mutable(try p.required("NetworkInterfaceId"))
        let vsw = try vSwitch(eni.vSwitchId)
        let explicit = p.list("PrivateIpAddress")
        let count = try explicit.isEmpty ? p.int("SecondaryPrivateIpAddressCount", default: 0, range: 1...49) : explicit.count
        if explicit.isEmpty && p.optional("SecondaryPrivateIpAddressCount") == nil { throw .missing("SecondaryPrivateIpAddressCount") }
        let limit = quotaFor(eni).eniPrivateIpAddressQuantity
        guard eni.privateIPs.count + count <= limit else {
            throw EmulatorFault("QuotaExceeded.PrivateIpAddress", "The number of private IP addresses of ENI \(eni.id) would exceed the quota of \(limit).", status: 403)
        }
        let addresses: [String]
        if explicit.isEmpty {
            guard let picked = pick(count, in: vsw.cidr, vSwitchId: vsw.id) else {
                throw EmulatorFault("InvalidVSwitchId.IpNotEnough", "The specified vSwitch \(vsw.id) does not have enough IP addresses.", status: 403)
            }
            addresses = picked
        } else {
            try check(explicit: explicit, in: vsw.cidr, vSwitchId: vsw.id)
            addresses = explicit
        }
        eni.secondaryIPs += addresses.map { TimedAddress(address: $0, since: now) }
        state.enis[eni.id] = eni
        let changes = eni.phase == .inUse ? addresses.map { DatapathChange.route(address: $0, eniId: eni.id) } : []
        var answer = AssignedAddresses(networkInterfaceId: eni.id, addresses: addresses).privateIPv4JSON(requestId: "")
        answer["RequestId"] = nil
        return (answer, changes)
    }

    mutating func unassignPrivateIpAddresses(_ p: EmulatorParameters) throws(EmulatorFault) -> (JSONObject, [DatapathChange]) {
        var eni = try mutable(try p.required("NetworkInterfaceId"))
        let addresses = p.list("PrivateIpAddress")
        guard !addresses.isEmpty else { throw .missing("PrivateIpAddress.1") }
        for address in addresses where !eni.secondaryIPs.contains(where: { $0.address == address }) {
            throw EmulatorFault("InvalidIp.IpUnassigned", "The IP address \(address) is not assigned to ENI \(eni.id) as a secondary address.")
        }
        eni.secondaryIPs.removeAll { addresses.contains($0.address) }
        state.enis[eni.id] = eni
        return (JSONObject(), eni.phase == .inUse ? addresses.map { .unroute(address: $0) } : [])
    }

    mutating func assignIpv6Addresses(_ p: EmulatorParameters, now: Double) throws(EmulatorFault) -> (JSONObject, [DatapathChange]) {
        var eni = try mutable(try p.required("NetworkInterfaceId"))
        let vsw = try vSwitch(eni.vSwitchId)
        guard let block = vsw.ipv6Cidr else {
            throw EmulatorFault("InvalidVSwitchId.Ipv6NotTurnOn", "The vSwitch \(vsw.id) has no IPv6 CIDR block.", status: 403)
        }
        let explicit = p.list("Ipv6Address")
        let count = try explicit.isEmpty ? p.int("Ipv6AddressCount", default: 1, range: 1...10) : explicit.count
        let limit = quotaFor(eni).eniIpv6AddressQuantity
        guard eni.ipv6s.count + count <= limit else {
            throw EmulatorFault("QuotaExceeded.Ipv6Address", "The number of IPv6 addresses of ENI \(eni.id) would exceed the quota of \(limit).", status: 403)
        }
        let addresses: [String]
        if explicit.isEmpty {
            guard let picked = pick(count, in: block, vSwitchId: vsw.id) else {
                throw EmulatorFault("InvalidVSwitchId.IpNotEnough", "The vSwitch \(vsw.id) does not have enough IPv6 addresses.", status: 403)
            }
            addresses = picked
        } else {
            try check(explicit: explicit, in: block, vSwitchId: vsw.id)
            addresses = explicit
        }
        eni.ipv6s += addresses.map { TimedAddress(address: $0, since: now) }
        state.enis[eni.id] = eni
        let changes = eni.phase == .inUse ? addresses.map { DatapathChange.route(address: $0, eniId: eni.id) } : []
        var answer = AssignedAddresses(networkInterfaceId: eni.id, addresses: addresses).ipv6JSON(requestId: "")
        answer["RequestId"] = nil
        return (answer, changes)
    }

    mutating func unassignIpv6Addresses(_ p: EmulatorParameters) throws(EmulatorFault) -> (JSONObject, [DatapathChange]) {
        var eni = try mutable(try p.required("NetworkInterfaceId"))
        let addresses = p.list("Ipv6Address")
        guard !addresses.isEmpty else { throw .missing("Ipv6Address.1") }
        for address in addresses where !eni.ipv6s.contains(where: { $0.address == address }) {
            throw EmulatorFault("InvalidIp.IpUnassigned", "The IPv6 address \(address) is not assigned to ENI \(eni.id).")
        }
        eni.ipv6s.removeAll { addresses.contains($0.address) }
        state.enis[eni.id] = eni
        return (JSONObject(), eni.phase == .inUse ? addresses.map { .unroute(address: $0) } : [])
    }
}
