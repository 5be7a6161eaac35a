import NetworkCore

/// The addresses of one node subnet that pods may get: never the network address, the
/// gateway or (IPv4) the broadcast address, nor anything in `exclusions`.
public struct AddressPool: Hashable, Sendable {
    public let subnet: IPPrefix
    public let gateway: IPAddress
    public let exclusions: [IPPrefix]

    /// The gateway defaults to the first usable address, as the bridge holds it.
    public init(subnet: IPPrefix, gateway: IPAddress? = nil, exclusions: [IPPrefix] = []) throws(IPAMError) {
        let hostBits = subnet.family.bitWidth - subnet.length
        // A /31 or /32 (IPv6 /127, /128) leaves nothing once network, gateway and broadcast are out.
        guard hostBits >= 2 else {
            throw .invalidPool("subnet \(subnet) is too small for pods: use at most a /\(subnet.family.bitWidth - 2)")
        }
        let gw = gateway ?? subnet.address(at: 1)!
        guard subnet.contains(gw), gw != subnet.network, gw != subnet.lastAddress || subnet.family == .v6 else {
            throw .invalidPool("gateway \(gw) is not a usable address of \(subnet)")
        }
        for exclusion in exclusions where exclusion.family != subnet.family {
            throw .invalidPool("exclusion \(exclusion) is not of the same family as \(subnet)")
        }
        self.subnet = subnet
        self.gateway = gw
        self.exclusions = exclusions
    }

    public var family: IPFamily { subnet.family }

    /// The first and last index inside the subnet a pod may get (before gateway and exclusions).
    var firstIndex: UInt128 { 1 }
    var lastIndex: UInt128 {
        let last = subnet.addressCount == .max ? UInt128.max : subnet.addressCount - 1
        return family == .v4 ? last - 1 : last
    }

    public func isUsable(_ address: IPAddress) -> Bool {
        guard let index = subnet.index(of: address) else { return false }
        return index >= firstIndex && index <= lastIndex && address != gateway
            && !exclusions.contains { $0.contains(address) }
    }

    /// How many addresses pods can get: exact up to 65536 addresses, an estimate
    /// (exclusions assumed disjoint) for larger, IPv6-sized subnets.
    public var usableCount: UInt128 {
        if subnet.addressCount <= 1 << 16 {
            return UInt128((firstIndex...lastIndex).lazy.filter { isUsable(subnet.address(at: $0)!) }.count)
        }
        var count = lastIndex - firstIndex // the gateway is out
        for exclusion in exclusions where subnet.contains(exclusion) {
            count = count >= exclusion.addressCount ? count - exclusion.addressCount : 0
        }
        return count
    }
}
