import Foundation

/// ExaBGP 4.2 in the foreground. Its settings come from `exabgp.*` environment variables
/// (own pid file, log to stdout, no CLI pipes in /run/exabgp, stay root). A process-API
/// script forwards lines appended to `commands` (announce/withdraw) to ExaBGP and appends
/// ExaBGP's JSON events (state changes, parsed UPDATEs) to `received.jsonl`.
/// ExaBGP keeps no RIB: what it "learned" is replayed from those UPDATE events.
public final class BGPExaBGPDaemon: BGPDaemon, @unchecked Sendable {
    public let kind = "exabgp"
    public let namespace: TestNamespace
    public let process: BackgroundProcess
    public let logFile: String
    private let directory: TemporaryDirectory
    private let setup: BGPDaemonSetup

    public init(in namespace: TestNamespace, setup: BGPDaemonSetup) throws {
        self.namespace = namespace
        self.setup = setup
        directory = try TemporaryDirectory("te-exabgp")
        logFile = directory.file("exabgp.log")
        try directory.write("commands", "")
        try directory.write("received.jsonl", "")
        // `tail --pid` ends with the script, which `exec`s into cat and lives as long as ExaBGP's pipe.
        try directory.write("api.sh", """
            #!/bin/sh
            tail -n +1 -F --pid=$$ \(directory.file("commands")) 2>/dev/null &
            exec cat >> \(directory.file("received.jsonl"))

            """)
        try run(["chmod", "+x", directory.file("api.sh")])
        try directory.write("exabgp.conf", Self.config(setup, api: directory.file("api.sh")))
        let env = environment(adding: [
            "exabgp.daemon.user": "root",
            "exabgp.daemon.daemonize": "false",
            "exabgp.daemon.pid": directory.file("exabgp.pid"),
            "exabgp.log.destination": "stdout",
            "exabgp.api.cli": "false",
        ])
        process = try namespace.spawn(["exabgp", directory.file("exabgp.conf")], environment: env, logFile: logFile)
        try startDaemon(process, kind: kind, logFile: logFile) { [logFile] in
            (try String(contentsOfFile: logFile, encoding: .utf8)).contains("loaded new configuration")
        }
    }

    static func config(_ setup: BGPDaemonSetup, api: String) -> String {
        var text = """
        process api {
          run \(api);
          encoder json;
        }

        """
        for n in setup.neighbors {
            let local = setup.listenAddresses.first { $0.contains(":") == n.address.contains(":") } ?? setup.nextHop4
            text += """
            neighbor \(n.address) {
              router-id \(setup.routerID);
              local-address \(local);
              local-as \(setup.localAS);
              peer-as \(n.asn);
              hold-time \(n.holdTime);
              passive \(n.passive);
              \(n.password.map { "md5-password \($0);" } ?? "")
              \(n.ttlSecurity ? "outgoing-ttl 255; incoming-ttl 255;" : "")
              family { ipv4 unicast; ipv6 unicast; }
              \(n.gracefulRestart ? "capability { graceful-restart 120; }" : "")
              api {
                processes [ api ];
                receive { parsed; update; notification; }
                neighbor-changes;
              }
            }

            """
        }
        return text
    }

    /// ExaBGP's JSON events so far (the API also writes plain `done` acknowledgements: skipped).
    public func events() throws -> [[String: Any]] {
        let text = try String(contentsOfFile: directory.file("received.jsonl"), encoding: .utf8)
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    public func isEstablished(_ peer: String) throws -> Bool {
        let states = try events().compactMap { event -> String? in
            guard event["type"] as? String == "state",
                  let neighbor = event["neighbor"] as? [String: Any],
                  (neighbor["address"] as? [String: Any])?["peer"] as? String == peer else { return nil }
            return neighbor["state"] as? String
        }
        return states.last == "up"
    }

    public func receivedPrefixes() throws -> Set<String> {
        var table = Set<String>()
        for event in try events() {
            // A session that went down takes its routes with it.
            if event["type"] as? String == "state",
               (event["neighbor"] as? [String: Any])?["state"] as? String == "down" { table.removeAll() }
            guard event["type"] as? String == "update",
                  let message = (event["neighbor"] as? [String: Any])?["message"] as? [String: Any],
                  let update = message["update"] as? [String: Any] else { continue }
            for (_, byNextHop) in update["announce"] as? [String: [String: Any]] ?? [:] {
                for (_, nlris) in byNextHop {
                    for nlri in nlris as? [[String: Any]] ?? [] { (nlri["nlri"] as? String).map { _ = table.insert($0) } }
                }
            }
            for (_, nlris) in update["withdraw"] as? [String: Any] ?? [:] {
                for nlri in nlris as? [[String: Any]] ?? [] { (nlri["nlri"] as? String).map { _ = table.remove($0) } }
            }
        }
        return table
    }

    public func announce(_ prefixes: [String]) throws {
        try send(prefixes.map { "announce route \($0) next-hop \(setup.nextHop(for: $0))" })
    }

    public func withdraw(_ prefixes: [String]) throws {
        try send(prefixes.map { "withdraw route \($0) next-hop \(setup.nextHop(for: $0))" })
    }

    private func send(_ lines: [String]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file("commands")))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
    }

    deinit { stop() }
}
