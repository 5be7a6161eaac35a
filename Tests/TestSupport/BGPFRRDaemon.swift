import Foundation

/// FRR's `bgpd` alone: `-Z` (no zebra), `-n` (no kernel routes), `-S` (stay root, no
/// frr user/group), `-l ADDR` per listen address, its own `-f` config, `-i` pid file and
/// `--vty_socket DIR` (bgpd creates `DIR/bgpd.vty`). Queried with `vtysh --vty_socket DIR`.
public final class BGPFRRDaemon: BGPDaemon, @unchecked Sendable {
    public let kind = "frr"
    public let namespace: TestNamespace
    public let process: BackgroundProcess
    public let logFile: String
    private let directory: TemporaryDirectory
    private let setup: BGPDaemonSetup

    public init(in namespace: TestNamespace, setup: BGPDaemonSetup) throws {
        self.namespace = namespace
        self.setup = setup
        directory = try TemporaryDirectory("te-frr")
        logFile = directory.file("bgpd.log")
        try directory.write("bgpd.conf", Self.config(setup))
        var argv = ["/usr/lib/frr/bgpd", "-Z", "-n", "-S", "-f", directory.file("bgpd.conf"),
                    "-i", directory.file("bgpd.pid"), "--vty_socket", directory.path,
                    "--log", "file:\(logFile)"]
        for address in setup.listenAddresses { argv += ["-l", address] }
        process = try namespace.spawn(argv, logFile: directory.file("stdout.log"))
        try startDaemon(process, kind: kind, logFile: logFile) { [directory] in
            try run(["vtysh", "--vty_socket", directory.path, "-c", "show bgp summary json"]).stdout.contains("{")
        }
    }

    static func config(_ setup: BGPDaemonSetup) -> String {
        var global = [
            "router bgp \(setup.localAS)",
            " bgp router-id \(setup.routerID)",
            // FRR 8 drops eBGP routes without an explicit policy (RFC 8212) unless told not to.
            " no bgp ebgp-requires-policy",
            " no bgp default ipv4-unicast",
            " no bgp network import-check",
        ]
        if setup.neighbors.contains(where: \.gracefulRestart) {
            global += [" bgp graceful-restart", " bgp graceful-restart restart-time 120"]
        }
        var v4 = [" address-family ipv4 unicast"], v6 = [" address-family ipv6 unicast"]
        for n in setup.neighbors {
            global += [" neighbor \(n.address) remote-as \(n.asn)",
                       " neighbor \(n.address) timers \(max(1, n.holdTime / 3)) \(n.holdTime)",
                       " neighbor \(n.address) timers connect 1"]
            if n.passive { global.append(" neighbor \(n.address) passive") }
            if let password = n.password { global.append(" neighbor \(n.address) password \(password)") }
            if n.ttlSecurity { global.append(" neighbor \(n.address) ttl-security hops 1") }
            for i in [0, 1] {
                var lines = ["  neighbor \(n.address) activate"]
                if let max = n.maxPrefixes { lines.append("  neighbor \(n.address) maximum-prefix \(max)") }
                if i == 0 { v4 += lines } else { v6 += lines }
            }
            // Without zebra bgpd knows no interface addresses, so an IPv6 route over an IPv4
            // session would get an IPv4-mapped next hop: set the global one explicitly.
            if setup.nextHop6 != nil { v6.append("  neighbor \(n.address) route-map nh6 out") }
        }
        var text = global + v4 + [" exit-address-family"] + v6 + [" exit-address-family"]
        if let nh6 = setup.nextHop6 {
            text += ["route-map nh6 permit 10", " set ipv6 next-hop global \(nh6)"]
        }
        return text.joined(separator: "\n") + "\n"
    }

    private func vtysh(_ commands: [String]) throws -> String {
        try run(["vtysh", "--vty_socket", directory.path] + commands.flatMap { ["-c", $0] }).stdout
    }

    private func json(_ command: String) throws -> [String: Any] {
        let output = try vtysh([command])
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw TestEnvironmentError("vtysh `\(command)` did not print a JSON object: \(output.prefix(500))")
        }
        return object
    }

    /// `show bgp neighbors PEER json`: state, last reset reason, notification codes.
    public func neighborDetails(_ peer: String) throws -> [String: Any] {
        try json("show bgp neighbors \(peer) json")[peer] as? [String: Any] ?? [:]
    }

    public func isEstablished(_ peer: String) throws -> Bool {
        try neighborDetails(peer)["bgpState"] as? String == "Established"
    }

    public func receivedPrefixes() throws -> Set<String> {
        var result = Set<String>()
        for family in ["ipv4", "ipv6"] {
            let routes = try json("show bgp \(family) unicast json")["routes"] as? [String: Any] ?? [:]
            for (prefix, paths) in routes {
                // Locally originated paths have no peer ("(unspec)").
                let learned = (paths as? [[String: Any]] ?? []).contains { ($0["peerId"] as? String) != "(unspec)" }
                if learned { result.insert(prefix) }
            }
        }
        return result
    }

    public func announce(_ prefixes: [String]) throws { try configureNetworks(prefixes, remove: false) }
    public func withdraw(_ prefixes: [String]) throws { try configureNetworks(prefixes, remove: true) }

    private func configureNetworks(_ prefixes: [String], remove: Bool) throws {
        var commands = ["configure terminal", "router bgp \(setup.localAS)"]
        for (family, isV6) in [("ipv4", false), ("ipv6", true)] {
            let mine = prefixes.filter { $0.contains(":") == isV6 }
            guard !mine.isEmpty else { continue }
            commands.append("address-family \(family) unicast")
            commands += mine.map { (remove ? "no " : "") + "network \($0)" }
            commands.append("exit-address-family")
        }
        _ = try vtysh(commands)
    }

    deinit { stop() }
}
