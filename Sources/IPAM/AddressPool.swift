import NetworkCore

/// The addresses of one node subnet that pods may get: never the network address, the
/// gateway or (IPv4) the broadcast address, nor anything in `exclusions`, and, when a
/// range is given (host-local's `rangeStart`/`rangeEnd`), only addresses inside it.
public struct AddressPool: Hashable, Sendable {
    public let subnet: IPPrefix
    public let gateway: IPAddress
    public let exclusions: [IPPrefix]
    /// The first and last index inside the subnet a pod may get (before gateway and exclusions).
    let firstIndex: UInt128
    let lastIndex: UInt128

    /// The gateway defaults to the first usable address, as the bridge holds it.
    public init(subnet: IPPrefix, gateway: IPAddress? = nil, exclusions: [IPPrefix] = [],
                rangeStart: IPAddress? = nil, rangeEnd: IPAddress? = nil) throws(IPAMError) {
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
        let last = subnet.addressCount == .max ? UInt128.max : subnet.addressCount - 1
        var first: UInt128 = 1
        var lastUsable = subnet.family == .v4 ? last - 1 : last
        if let rangeStart {
            guard let index = subnet.index(of: rangeStart), index >= first, index <= lastUsable else {
                throw .invalidPool("rangeStart \(rangeStart) is not a usable address of \(subnet)")
            }
            first = index
        }
        if let rangeEnd {
            guard let index = subnet.index(of: rangeEnd), index >= first, index <= lastUsable else {
                throw .invalidPool("rangeEnd \(rangeEnd) is not a usable address of \(subnet) at or after the range start")
            }
            lastUsable = index
        }
        self.subnet = subnet
        self.gateway = gw
        self.exclusions = exclusions
        self.firstIndex = first
        self.lastIndex = lastUsable
    }

    public var family: IPFamily { subnet.family }

    public func isUsable(_ address: IPAddress) -> Bool {
        guard let index = subnet.index(of: address) else { return false }
        return index >= firstIndex && index <= lastIndex && address != gateway
            && !exclusions.contains { $0.contains(address) }
    }

    /// How many addresses pods can get: exact up to 65536 addresses, an estimate
    /// (exclusions assumed disjoint) for larger, IPv6-sized ranges.
    public var usableCount: UInt128 {
        if lastIndex - firstIndex < 1 << 16 {
            return UInt128((firstIndex...lastIndex).lazy.filter { isUsable(subnet.address(at: $0)!) }.count)
        }
        var count = lastIndex - firstIndex // the gateway is out
        for exclusion in exclusions where subnet.contains(exclusion) {
            count = count >= exclusion.addressCount ? count - exclusion.addressCount : 0
        }
        return count
    }
}
