import Foundation
import Synchronization

/// Ports for servers that tests start on loopback (bind them at once).
public enum LoopbackPorts {
    /// Ports handed out in this process: two tests never share one.
    private static let taken = Mutex<Set<Int>>([])

    /// `count` consecutive TCP ports, port `i` free on `addresses[i]` (or on the one address
    /// given) right now, none handed out before in this process. Below the kernel's
    /// ephemeral range (32768-60999), so that no outgoing connection of this or another test
    /// process holds one by the time a server binds it.
    public static func free(_ count: Int, on addresses: [String] = ["127.0.0.1"]) throws -> [Int] {
        for _ in 0..<100 {
            let base = Int.random(in: 20000..<32768 - count)
            let ports = Array(base..<base + count)
            let claimed = taken.withLock { taken in
                guard taken.isDisjoint(with: ports) else { return false }
                taken.formUnion(ports)
                return true
            }
            guard claimed else { continue }
            if ports.indices.allSatisfy({ canListen(on: addresses[min($0, addresses.count - 1)], port: ports[$0]) }) { return ports }
        }
        throw TestEnvironmentError("no \(count) free loopback ports below 32768 after 100 tries")
    }

    /// Whether a listener (with SO_REUSEADDR, as our servers bind) could bind `address:port`.
    private static func canListen(on address: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, address, &local.sin_addr) == 1 else { return false }
        return withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
