import Netlink

/// The `te-` namespaces of one bench run: a node per plugin and a pod per measured ADD.
/// `run(in:)` spawns a plugin from a thread inside a node (`NetworkNamespace.run`), so that
/// it starts there, as kubelet's runtime would start it on a node; the bench's own thread
/// never changes namespace.
final class BenchNamespaces {
    let tag = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
    private(set) var created: [String] = []

    func make(_ label: String) throws -> String {
        let name = "te-b\(label)-\(tag)"
        try runChecked(["/usr/sbin/ip", "netns", "add", name])
        created.append(name)
        try runChecked(["/usr/sbin/ip", "-n", name, "link", "set", "lo", "up"])
        return name
    }

    func run<T>(in name: String, _ body: () throws -> T) throws -> T {
        try NetworkNamespace(path: "/var/run/netns/\(name)").run(body)
    }

    /// Deletes every namespace the bench made.
    func removeAll() {
        for name in created.reversed() {
            _ = spawnAndWait(["/usr/sbin/ip", "netns", "delete", name], environment: [], stdin: "")
        }
        created.removeAll()
    }
}
