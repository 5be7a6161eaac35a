import Foundation

/// BIRD 2 in the foreground (`bird -f -c CONF -s SOCK -P PIDFILE`), queried with `birdc -s SOCK`.
/// Originated routes are static blackholes in an included file; `announce`/`withdraw`
/// rewrite it and run `birdc configure`, which leaves the BGP protocols untouched.
public final class BGPBirdDaemon: BGPDaemon, @unchecked Sendable {
    public let kind = "bird"
    public let namespace: TestNamespace
    public let process: BackgroundProcess
    public let logFile: String
    public let socket: String
    private let directory: TemporaryDirectory
    private let setup: BGPDaemonSetup
    private var originated: [String] = []

    /// `originating` prefixes are in the configuration from the start (a benchmark's full table).
    /// With `kernelTable`, BIRD's kernel protocol exports the BGP routes into that kernel table
    /// (the benchmark's like-for-like reference for our `kernel` key).
    public init(in namespace: TestNamespace, setup: BGPDaemonSetup, originating: [String] = [],
                kernelTable: Int? = nil) throws {
        self.namespace = namespace
        self.setup = setup
        originated = originating
        directory = try TemporaryDirectory("te-bird")
        socket = directory.file("bird.ctl")
        logFile = directory.file("bird.log")
        try directory.write("static.conf", Self.staticConfig(originating))
        try directory.write("bird.conf", Self.config(setup, staticFile: directory.file("static.conf"), kernelTable: kernelTable))
        process = try namespace.spawn(["bird", "-f", "-c", directory.file("bird.conf"), "-s", socket,
                                       "-P", directory.file("bird.pid")], logFile: logFile)
        let socket = socket
        try startDaemon(process, kind: kind, logFile: logFile) {
            try run(["birdc", "-s", socket, "show", "status"], check: false).stdout.contains("Daemon is up")
        }
    }

    static func config(_ setup: BGPDaemonSetup, staticFile: String, kernelTable: Int? = nil) -> String {
        var text = """
        router id \(setup.routerID);
        log stderr all;
        # No kernel protocol unless asked for: a full table's RIB is not slowed down by the kernel.
        protocol device {}
        ipv4 table master4;
        ipv6 table master6;
        include "\(staticFile)";

        """
        if let kernelTable {
            // The link's own route resolves the BGP next hops (the sessions are multihop 1,
            // whose next hops BIRD resolves through the table); the BGP routes go to the kernel.
            text += """
            protocol direct { ipv4; ipv6; }
            protocol kernel k4 { ipv4 { export where source = RTS_BGP; }; kernel table \(kernelTable); }
            protocol kernel k6 { ipv6 { export where source = RTS_BGP; }; kernel table \(kernelTable); }

            """
        }
        for neighbor in setup.neighbors {
            let local = setup.listenAddresses.first { $0.contains(":") == neighbor.address.contains(":") }
            text += """
            protocol bgp \(neighbor.identifier) {
              \(local.map { "local \($0) as \(setup.localAS);" } ?? "local as \(setup.localAS);")
              neighbor \(neighbor.address) as \(neighbor.asn);
              hold time \(neighbor.holdTime); keepalive time \(max(1, neighbor.holdTime / 3));
              # BIRD waits 120 s between connection attempts by default: too slow for tests.
              connect retry time 1; connect delay time 1; error wait time 1, 2;
              \(neighbor.passive ? "passive on;" : "")
              \(neighbor.password.map { "password \"\($0)\";" } ?? "")
              \(neighbor.ttlSecurity ? "ttl security on;" : "")
              # One hop, but not `direct`: a direct session adds the interface's link-local
              # address to IPv6 next hops, which a bgpd without zebra (FRR -Z) refuses.
              multihop 1;
              \(neighbor.gracefulRestart ? "graceful restart on; graceful restart time 120;" : "")
              ipv4 { import all; export where source = RTS_STATIC;
                     \(setup.nextHop4 != local && local?.contains(":") == false ? "next hop address \(setup.nextHop4);" : "")
                     \(neighbor.extendedNextHop ? "extended next hop on;" : "")
                     \(neighbor.maxPrefixes.map { "import limit \($0) action disable;" } ?? "") };
              ipv6 { import all; export where source = RTS_STATIC;
                     \(setup.nextHop6.map { "next hop address \($0);" } ?? "")
                     \(neighbor.maxPrefixes.map { "import limit \($0) action disable;" } ?? "") };
            }

            """
        }
        return text
    }

    private func birdc(_ arguments: [String]) throws -> String {
        try run(["birdc", "-s", socket] + arguments).stdout
    }

    public func isEstablished(_ peer: String) throws -> Bool {
        let name = BGPNeighbor(address: peer, asn: 0).identifier
        return try birdc(["show", "protocols", name]).contains("Established")
    }

    public func receivedPrefixes() throws -> Set<String> {
        // Route lines start with the prefix; continuation lines (more paths, next hops) are indented.
        let output = try birdc(["show", "route", "where", "source", "=", "RTS_BGP"])
        return Set(output.split(separator: "\n").compactMap { line -> String? in
            guard let first = line.first, !first.isWhitespace, line.contains("/") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        })
    }

    /// `show route PREFIX all`: the route with its attributes (`BGP.next_hop: ...`).
    public func routeDetails(_ prefix: String) throws -> String {
        try birdc(["show", "route", prefix, "all"])
    }

    /// Number of routes BIRD holds, from `show route count` (cheap for a full table).
    public func routeCount() throws -> Int {
        let output = try birdc(["show", "route", "count"])
        // "1000002 of 1000002 routes for 1000002 networks in table master4"
        return output.split(separator: "\n").reduce(0) { sum, line in
            let words = line.split(separator: " ")
            guard words.count > 3, words[1] == "of", let n = Int(words[0]) else { return sum }
            return sum + n
        }
    }

    public func announce(_ prefixes: [String]) throws {
        originated += prefixes.filter { !originated.contains($0) }
        try reconfigure()
    }

    public func withdraw(_ prefixes: [String]) throws {
        originated.removeAll { prefixes.contains($0) }
        try reconfigure()
    }

    static func staticConfig(_ prefixes: [String]) -> String {
        let v4 = prefixes.filter { !$0.contains(":") }.map { "route \($0) blackhole;" }
        let v6 = prefixes.filter { $0.contains(":") }.map { "route \($0) blackhole;" }
        return """
            protocol static s4 { ipv4; \(v4.joined(separator: " ")) }
            protocol static s6 { ipv6; \(v6.joined(separator: " ")) }

            """
    }

    private func reconfigure() throws {
        try directory.write("static.conf", Self.staticConfig(originated))
        let output = try birdc(["configure"])
        guard output.contains("Reconfigur") else { throw TestEnvironmentError("birdc configure: \(output)") }
    }

    deinit { stop() }
}
