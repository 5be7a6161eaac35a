import Glibc
import NetworkCore

/// The host's interface addresses, to find a next hop of the other family on the interface
/// that carries a session (an IPv6 route over an IPv4 session needs an IPv6 next hop: BIRD
/// refuses the IPv4-mapped form).
enum LocalInterfaces {
    /// A global address of `family` on the interface that holds `address`, if there is one.
    static func sibling(of address: IPAddress, family: IPFamily) -> IPAddress? {
        let all = addresses()
        guard let name = all.first(where: { $0.address == address })?.interface else { return nil }
        return all.first { entry in
            guard entry.interface == name, entry.address.family == family else { return false }
            if case .v6(let v6) = entry.address {
                return v6.value >> 118 != 0x3FA  // not link-local fe80::/10
            }
            return true
        }?.address
    }

    private static func addresses() -> [(interface: String, address: IPAddress)] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0 else { return [] }
        defer { freeifaddrs(head) }
        var result: [(String, IPAddress)] = []
        var cursor = head
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let socket = entry.pointee.ifa_addr else { continue }
            let name = String(cString: entry.pointee.ifa_name)
            switch Int32(socket.pointee.sa_family) {
            case AF_INET:
                let raw = socket.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                result.append((name, .v4(IPv4Address(UInt32(bigEndian: raw)))))
            case AF_INET6:
                var v6 = socket.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                if let address = withUnsafeBytes(of: &v6, { IPv6Address(bytes: $0) }) { result.append((name, .v6(address))) }
            default:
                break
            }
        }
        return result
    }
}
