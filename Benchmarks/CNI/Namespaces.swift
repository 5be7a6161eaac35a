import CNetlink
import Glibc

/// The `te-` namespaces of one bench run: a node per plugin and a pod per measured ADD.
/// `enter` moves the bench's (single) thread into a node, so that the plugins it spawns
/// start there, as kubelet's runtime would start them on a node.
final class BenchNamespaces {
    let tag = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
    private(set) var created: [String] = []
    private let home: Int32

    init() throws {
        home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)
        guard home >= 0 else { throw BenchError("cannot open /proc/self/ns/net: errno \(errno)") }
    }

    func make(_ label: String) throws -> String {
        let name = "te-b\(label)-\(tag)"
        try runChecked(["/usr/sbin/ip", "netns", "add", name])
        created.append(name)
        try runChecked(["/usr/sbin/ip", "-n", name, "link", "set", "lo", "up"])
        return name
    }

    func enter(_ name: String) throws {
        let fd = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BenchError("cannot open netns \(name): errno \(errno)") }
        defer { close(fd) }
        guard cnetlink_setns(fd, Int32(CNETLINK_CLONE_NEWNET)) == 0 else { throw BenchError("setns \(name): errno \(errno)") }
    }

    /// Back to the namespace the bench started in, then every namespace it made is deleted.
    func removeAll() {
        _ = cnetlink_setns(home, Int32(CNETLINK_CLONE_NEWNET))
        for name in created.reversed() {
            _ = spawnAndWait(["/usr/sbin/ip", "netns", "delete", name], environment: [], stdin: "")
        }
        created.removeAll()
    }
}
