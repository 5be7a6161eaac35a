/// Two `te-` namespaces joined by a veth pair, for a BGP session between whatever runs in
/// each: `left` has 10.254.0.1/24 and fd00:254::1/64, `right` has .2 and ::2.
/// Every test builds its own pair, so tests can run in parallel with the same addresses.
public final class BGPTestLink: @unchecked Sendable {
    public let left: TestNamespace
    public let right: TestNamespace
    public let leftV4 = "10.254.0.1", rightV4 = "10.254.0.2"
    public let leftV6 = "fd00:254::1", rightV6 = "fd00:254::2"

    public init(_ label: String) throws {
        left = try TestNamespace("\(label.prefix(4))l")
        right = try TestNamespace("\(label.prefix(4))r")
        try left.link(to: right, localName: "bgpl", remoteName: "bgpr",
                      localAddresses: ["\(leftV4)/24", "\(leftV6)/64"],
                      remoteAddresses: ["\(rightV4)/24", "\(rightV6)/64"])
        // Daemons started while the link-local addresses are still tentative (DAD) announce
        // IPv6 next hops without them, which FRR refuses from BIRD: wait until both are usable.
        for (ns, ifname) in [(left, "bgpl"), (right, "bgpr")] {
            let ready = try waitUntil(timeout: 10, interval: 0.05) {
                let text = try ns.exec(["ip", "-6", "-o", "addr", "show", "dev", ifname, "scope", "link"]).stdout
                return text.contains("fe80") && !text.contains("tentative")
            }
            guard ready else { throw TestEnvironmentError("link-local address of \(ifname) in \(ns.name) still tentative after 10 s") }
        }
    }
}
