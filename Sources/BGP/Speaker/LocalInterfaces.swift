import BGPCore
import Glibc
import NetworkCore

/// The host's interface addresses: the networks next hops are checked against, and a next
/// hop of the other family on the interface that carries a session (an IPv6 route over an
/// IPv4 session needs an IPv6 next hop: BIRD refuses the IPv4-mapped form).
enum LocalInterfaces {
    /// The networks of the addresses on interfaces that are up with a carrier: a next hop
    /// behind a link that is down is not reachable.
    static func connectedNetworks() -> ConnectedNetworks {
        var networks = Set<IPPrefix>()
        for entry in addresses() where entry.up {
            if let length = entry.prefixLength, let network = IPPrefix(containing: entry.address, length: length) {
                networks.insert(network)
            }
        }
        return ConnectedNetworks(networks.sorted())
    }

    /// The index of the interface that holds `address`.
    static func interfaceIndex(holding address: IPAddress) -> Int32? {
        guard let name = addresses().first(where: { $0.address == address })?.interface else { return nil }
        let index = if_nametoindex(name)
        return index == 0 ? nil : Int32(index)
    }

    /// A global address of `family` on the interface that holds `address`, if there is one.
    static func sibling(of address: IPAddress, family: IPFamily) -> IPAddress? {
        let all = addresses()
        guard let name = all.first(where: { $0.address == address })?.interface else { return nil }
        return all.first { entry in
            guard entry.interface == name, entry.address.family == family else { return false }
            if case .v6(let v6) = entry.address { return !v6.isLinkLocal }
            return true
        }?.address
    }

    private struct Entry {
        var interface: String
        var address: IPAddress
        var prefixLength: Int?
        /// IFF_UP and IFF_RUNNING (a carrier).
        var up: Bool
    }

    private static func addresses() -> [Entry] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0 else { return [] }
        defer { freeifaddrs(head) }
        var result: [Entry] = []
        var cursor = head
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let socket = entry.pointee.ifa_addr, let address = ipAddress(socket) else { continue }
            let flags = Int32(bitPattern: entry.pointee.ifa_flags)
            let mask = entry.pointee.ifa_netmask.flatMap(ipAddress)
            result.append(Entry(interface: String(cString: entry.pointee.ifa_name), address: address,
                                prefixLength: mask.map(prefixLength),
                                up: flags & Int32(IFF_UP) != 0 && flags & Int32(IFF_RUNNING) != 0))
        }
        return result
    }

    private static func ipAddress(_ socket: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        switch Int32(socket.pointee.sa_family) {
        case AF_INET:
            let raw = socket.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            return .v4(IPv4Address(UInt32(bigEndian: raw)))
        case AF_INET6:
            var v6 = socket.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            return withUnsafeBytes(of: &v6) { IPv6Address(bytes: $0) }.map { .v6($0) }
        default:
            return nil
        }
    }

    /// The length of a contiguous netmask (its leading ones).
    private static func prefixLength(_ mask: IPAddress) -> Int {
        switch mask {
        case .v4(let m): m.value.leadingZeroBitCount == 0 ? (~m.value).leadingZeroBitCount : 0
        case .v6(let m): m.value.leadingZeroBitCount == 0 ? (~m.value).leadingZeroBitCount : 0
        }
    }
}
