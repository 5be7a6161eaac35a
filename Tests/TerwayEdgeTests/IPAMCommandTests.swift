import Foundation
import Testing
import TestSupport

/// `terway-edge ipam ...` as an operator runs it, against an embedded store.
@Suite struct IPAMCommandTests {
    @Test func acquireRenewListReleaseThroughTheCLI() async throws {
        try await offPool { try Self.acquireRenewListRelease() }
    }

    private static func acquireRenewListRelease() throws {
        let cli = try builtExecutable("terway-edge")
        let directory = try TemporaryDirectory("te-ipam-cli")
        let store = "file://\(directory.file("leases.db"))"
        let acquired = try run([cli, "ipam", "acquire", "--strategy", "lowest-free", "--store", store, "--cluster-cidr", "10.0.0.0/16", "--cluster-cidr", "fd00:10::/56",
                                "--reserved", "10.0.0.0/24", "--node", "edge-1", "--node-address", "192.168.10.5",
                                "--data", "bgp.router-id=10.0.1.1"])
        #expect(acquired.stdout.contains("edge-1  10.0.1.0/24,fd00:10::/64  192.168.10.5  edge    59m"))
        let renewed = try run([cli, "ipam", "renew", "--store", store, "--node", "edge-1", "--ttl", "60", "--output", "json"])
        #expect(renewed.stdout.contains("\"expiresInSeconds\" : 59"))
        let listed = try run([cli, "ipam", "leases", "--store", store])
        #expect(listed.stdout.hasPrefix("NODE    SUBNETS"))
        #expect(listed.stdout.contains("bgp.router-id=10.0.1.1"))
        try run([cli, "ipam", "release", "--store", store, "--node", "edge-1"])
        #expect(try run([cli, "ipam", "leases", "--store", store]).stdout.split(separator: "\n").count == 1)
    }

    @Test func errorsAreOneClearLineAndAFailingExit() async throws {
        try await offPool { try Self.errorsAreOneClearLine() }
    }

    private static func errorsAreOneClearLine() throws {
        let cli = try builtExecutable("terway-edge")
        let directory = try TemporaryDirectory("te-ipam-cli")
        let store = "file://\(directory.file("leases.db"))"
        let args = ["ipam", "acquire", "--strategy", "lowest-free", "--store", store, "--cluster-cidr", "10.0.0.0/24", "--node-subnet-length", "25", "--node-address", "192.168.1.1"]
        for node in ["a", "b"] { try run([cli] + args + ["--node", node]) }
        let full = try run([cli] + args + ["--node", "c"], check: false)
        #expect(full.status != 0)
        #expect(full.stderr.contains("no free /25 subnet left in 10.0.0.0/24: 2 subnets, 0 reserved, 2 leased"))
        let badCIDR = try run([cli] + args.prefix(7) + ["10.0.1.5/16", "--node", "d", "--node-address", "192.168.1.1"], check: false)
        #expect(badCIDR.status != 0 && badCIDR.stderr.contains("has host bits set; the block is 10.0.0.0/16"))
        try directory.write("leases.db", "{\"apiVersion\":\"v1\"}\n")
        let foreign = try run([cli, "ipam", "leases", "--store", store], check: false)
        #expect(foreign.status != 0 && foreign.stderr.contains("not a TerwayEdge lease database"))
        // A mistyped path is not an empty store: only acquire creates one.
        let missing = directory.file("nodir/leases.db")
        for command in [["leases"], ["watch"], ["renew", "--node", "a"], ["release", "--node", "a"]] {
            // `timeout`: a watch on a store created empty would wait forever.
            let run = try run(["timeout", "20", cli, "ipam"] + command + ["--store", "file://\(missing)"], check: false)
            #expect(run.status != 0 && run.stderr.contains("no lease store at \(missing): the file does not exist"), "\(command): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("nodir")))
        let scheme = try run([cli, "ipam", "leases", "--store", "zookeeper://h/p"], check: false)
        #expect(scheme.status != 0 && scheme.stderr.contains("use one of file, etcd, kubernetes"))
    }

    @Test func helpListsTheSubcommands() async throws {
        let help = try await offPool { try run([builtExecutable("terway-edge"), "ipam", "--help"]).stdout }
        #expect(help == """
        OVERVIEW: Inspect and manage node subnet leases.

        USAGE: terway-edge ipam <subcommand>

        OPTIONS:
          -h, --help              Show help information.

        SUBCOMMANDS:
          leases                  List every node's subnet lease.
          watch                   Print every lease, then each change as it happens,
                                  until interrupted.
          acquire                 Take (or take back) a node's subnets and print the
                                  lease.
          renew                   Extend a node's live lease.
          release                 Give a node's subnets back (no error when it holds
                                  none).

          See 'terway-edge help ipam <subcommand>' for detailed help.

        """)
    }

    @Test func watchPrintsChangesMadeByOtherProcesses() async throws {
        let cli = try builtExecutable("terway-edge")
        let directory = try TemporaryDirectory("te-ipam-watch")
        let store = "file://\(directory.file("leases.db"))"
        let acquire = [cli, "ipam", "acquire", "--strategy", "lowest-free", "--store", store, "--node-address", "192.168.10.5"]
        try await offPool {
            try run(acquire + ["--node", "edge-1"])
            let watcher = try BackgroundProcess([cli, "ipam", "watch", "--store", store], logFile: directory.file("watch.log"))
            defer { watcher.terminate() }
            func log() -> String { (try? String(contentsOfFile: directory.file("watch.log"), encoding: .utf8)) ?? "" }
            #expect(waitUntil(timeout: 20) { log().contains("added edge-1 10.0.0.0/24 via 192.168.10.5 (edge), expires in 59m") })
            try run(acquire + ["--node", "edge-2", "--ttl", "1"])
            #expect(waitUntil(timeout: 20) { log().contains("added edge-2 10.0.1.0/24") }, "\(log())")
            #expect(waitUntil(timeout: 20) { log().contains("expired edge-2 10.0.1.0/24") }, "\(log())")
            try run([cli, "ipam", "release", "--store", store, "--node", "edge-1"])
            #expect(waitUntil(timeout: 20) { log().contains("deleted edge-1") }, "\(log())")
        }
    }
}
