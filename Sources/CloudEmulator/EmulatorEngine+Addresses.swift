import CloudAPI
import NetworkCore

/// Address bookkeeping per vSwitch: the service reserves the first address and the last
/// three of every IPv4 vSwitch block (the gateway is the third from last), and the first
/// ten of an IPv6 block (the gateway is ::1), as the plan counts them.
extension EmulatorEngine {
    static let reservedAtEnd: UInt128 = 3
    static let ipv6ReservedAtStart: UInt128 = 10

    func vSwitch(_ id: String) throws(EmulatorFault) -> EmulatorWorld.VSwitch {
        guard let vsw = world.vSwitches.first(where: { $0.id == id }) else {
            throw EmulatorFault("InvalidVSwitchId.NotFound", "The specified VSwitchId \(id) does not exist.", status: 404)
        }
        return vsw
    }

    func usedAddresses(in vSwitchId: String) -> Set<String> {
        var used = Set<String>()
        for eni in state.enis.values where eni.vSwitchId == vSwitchId {
            used.formUnion(eni.privateIPs)
            used.formUnion(eni.ipv6s.map(\.address))
        }
        return used
    }

    func freeCount(_ vsw: EmulatorWorld.VSwitch) -> Int {
        let block = IPPrefix(vsw.cidr)!
        let usable = block.addressCount > 1 + Self.reservedAtEnd ? block.addressCount - 1 - Self.reservedAtEnd : 0
        let used = usedAddresses(in: vsw.id).filter { IPAddress($0).map(block.contains) ?? false }.count
        return Int(clamping: usable) - used
    }

    /// The IPv6 gateway of a vSwitch's IPv6 block (its first address), as metadata's `ipv6-gateway` says.
    static func ipv6Gateway(of cidr: String) -> IPAddress? {
        guard let block = IPPrefix(cidr), block.family == .v6 else { return nil }
        return block.address(at: 1)
    }

    static func gateway(of cidr: String) -> IPAddress? {
        guard let block = IPPrefix(cidr), block.addressCount > 2 else { return nil }
        return block.address(at: block.addressCount - 3)
    }

    /// `count` free addresses of the block, lowest first; nil when there are not enough.
    func pick(_ count: Int, in cidr: String, vSwitchId: String) -> [String]? {
        guard let block = IPPrefix(cidr) else { return nil }
        let used = usedAddresses(in: vSwitchId)
        let isV4 = block.family == .v4
        let end = isV4 ? block.addressCount - Self.reservedAtEnd : min(block.addressCount, 1 << 20)
        var picked: [String] = []
        var index: UInt128 = isV4 ? 1 : Self.ipv6ReservedAtStart
        while picked.count < count, index < end {
            if let address = block.address(at: index), !used.contains(address.description) { picked.append(address.description) }
            index += 1
        }
        return picked.count == count ? picked : nil
    }

    /// Explicit addresses: inside the vSwitch, not reserved, not taken.
    func check(explicit addresses: [String], in cidr: String, vSwitchId: String) throws(EmulatorFault) {
        let block = IPPrefix(cidr)!
        let used = usedAddresses(in: vSwitchId)
        for text in addresses {
            guard let address = IPAddress(text), block.contains(address), let index = block.index(of: address),
                  block.family == .v4 ? index > 0 && index < block.addressCount - Self.reservedAtEnd : index >= Self.ipv6ReservedAtStart else {
                throw EmulatorFault("InvalidPrivateIpAddress.Mismatch", "The specified IP address \(text) is not in the CIDR block of the vSwitch.")
            }
            guard !used.contains(address.description) else {
                throw EmulatorFault("InvalidPrivateIpAddress.Duplicated", "The specified IP address \(text) is already in use.")
            }
        }
    }
}
