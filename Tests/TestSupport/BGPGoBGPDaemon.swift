import Foundation

/// GoBGP: `gobgpd -f CONF --api-hosts 127.0.0.1:50051 --pprof-disable`. The gRPC API
/// listens on the namespace's own loopback, so every instance can use the same port;
/// the `gobgp` CLI therefore runs inside the namespace too.
public final class BGPGoBGPDaemon: BGPDaemon, @unchecked Sendable {
    public let kind = "gobgp"
    public let namespace: TestNamespace
    public let process: BackgroundProcess
    public let logFile: String
    private let directory: TemporaryDirectory
    private let setup: BGPDaemonSetup

    public init(in namespace: TestNamespace, setup: BGPDaemonSetup) throws {
        self.namespace = namespace
        self.setup = setup
        directory = try TemporaryDirectory("te-gobgp")
        logFile = directory.file("gobgpd.log")
        try directory.write("gobgpd.toml", Self.config(setup))
        process = try namespace.spawn(["gobgpd", "-f", directory.file("gobgpd.toml"), "-p",
                                       "--api-hosts", "127.0.0.1:50051", "--pprof-disable"], logFile: logFile)
        try startDaemon(process, kind: kind, logFile: logFile) { [namespace] in
            try namespace.exec(Self.cli + ["global"], check: false).succeeded
        }
    }

    static let cli = ["gobgp", "-u", "127.0.0.1", "-p", "50051"]

    static func config(_ setup: BGPDaemonSetup) -> String {
        let addresses = setup.listenAddresses.map { "\"\($0)\"" }.joined(separator: ", ")
        var text = """
        [global.config]
          as = \(setup.localAS)
          router-id = "\(setup.routerID)"
          local-address-list = [\(addresses)]

        """
        for n in setup.neighbors {
            text += """
            [[neighbors]]
              [neighbors.config]
                neighbor-address = "\(n.address)"
                peer-as = \(n.asn)
                \(n.password.map { "auth-password = \"\($0)\"" } ?? "")
              [neighbors.timers.config]
                hold-time = \(n.holdTime)
                keepalive-interval = \(max(1, n.holdTime / 3))
                connect-retry = 1
              [neighbors.transport.config]
                passive-mode = \(n.passive)
              [neighbors.ttl-security.config]
                enabled = \(n.ttlSecurity)
                ttl-min = 255
              [neighbors.graceful-restart.config]
                enabled = \(n.gracefulRestart)
                restart-time = 120

            """
            for family in ["ipv4-unicast", "ipv6-unicast"] {
                text += """
                  [[neighbors.afi-safis]]
                    [neighbors.afi-safis.config]
                      afi-safi-name = "\(family)"
                    [neighbors.afi-safis.mp-graceful-restart.config]
                      enabled = \(n.gracefulRestart)
                    \(n.maxPrefixes.map { "[neighbors.afi-safis.prefix-limit.config]\n        max-prefixes = \($0)" } ?? "")

                """
            }
        }
        return text
    }

    private func gobgp(_ arguments: [String]) throws -> String {
        try namespace.exec(Self.cli + arguments).stdout
    }

    /// `gobgp neighbor PEER -j`: state, messages, and the last NOTIFICATION.
    public func neighborDetails(_ peer: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(try gobgp(["neighbor", peer, "-j"]).utf8))
        return (object as? [String: Any]) ?? ((object as? [[String: Any]])?.first ?? [:])
    }

    public func isEstablished(_ peer: String) throws -> Bool {
        // session_state 6 is ESTABLISHED in GoBGP's API enum.
        ((try neighborDetails(peer))["state"] as? [String: Any])?["session_state"] as? Int == 6
    }

    public func receivedPrefixes() throws -> Set<String> {
        var result = Set<String>()
        for family in ["ipv4", "ipv6"] {
            let output = try gobgp(["global", "rib", "-a", family, "-j"])
            let routes = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
            for (prefix, paths) in routes {
                // Paths GoBGP originated itself carry no neighbor address.
                let learned = (paths as? [[String: Any]] ?? []).contains {
                    guard let from = $0["neighbor-ip"] as? String else { return false }
                    return from != "<nil>" && !from.isEmpty
                }
                if learned { result.insert(prefix) }
            }
        }
        return result
    }

    /// Destinations in the global RIB (`gobgp global rib summary`), cheap for a full table.
    public func routeCount(family: String = "ipv4") throws -> Int {
        let output = try gobgp(["global", "rib", "summary", "-a", family, "-j"])
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return object?["num_destination"] as? Int ?? 0
    }

    public func announce(_ prefixes: [String]) throws {
        for prefix in prefixes {
            _ = try gobgp(["global", "rib", "add", prefix, "nexthop", setup.nextHop(for: prefix),
                           "-a", prefix.contains(":") ? "ipv6" : "ipv4"])
        }
    }

    public func withdraw(_ prefixes: [String]) throws {
        for prefix in prefixes {
            _ = try gobgp(["global", "rib", "del", prefix, "-a", prefix.contains(":") ? "ipv6" : "ipv4"])
        }
    }

    deinit { stop() }
}
