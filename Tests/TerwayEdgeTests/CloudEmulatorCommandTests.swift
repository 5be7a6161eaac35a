import Foundation
import Testing
import TestSupport

/// `terway-edge cloud emulator --config examples/cloud-world.yaml`, with no other flag,
/// serves the API on 127.0.0.1:8460 and metadata on 127.0.0.1:8461; it stops on SIGTERM.
@Suite struct CloudEmulatorCommandTests {
    @Test func theExampleWorldServesOnItsDefaultPorts() async throws {
        try await offPool { try Self.serveTheExample() }
    }

    /// A world the walker refuses stops the command before it listens: exit code 2, and the
    /// file, line and field on stderr (as `plan check` reports a plan).
    @Test func aRefusedWorldExitsTwoNamingTheLineAndField() throws {
        let directory = try TemporaryDirectory("te-cloud-cli")
        let example = try PlanFixture.exampleText("cloud-world.yaml")
        try directory.write("world.yaml", example.replacingOccurrences(of: "primaryIP: 192.168.0.10", with: "primaryIp: 192.168.0.10"))
        let path = directory.file("world.yaml")
        let result = try run([try builtExecutable("terway-edge"), "cloud", "emulator", "--config", path, "--listen", "127.0.0.1:0",
                              "--metadata-listen", "127.0.0.1:0"], check: false)
        #expect(result.status == 2 && result.stdout.isEmpty)
        #expect(result.stderr == "\(path): line 21: instances[0].primaryIp: unknown field; expected one of id, type, vSwitch, primaryIP, namespace, ramRole, status\n")
    }

    private static func serveTheExample() throws {
        let cli = try builtExecutable("terway-edge")
        let directory = try TemporaryDirectory("te-cloud-cli")
        let log = directory.file("emulator.log")
        let process = try launchLogged([cli, "cloud", "emulator", "--config", PlanFixture.example("cloud-world.yaml")], log: log)
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        var started = ""
        for _ in 0..<100 where !started.contains("metadata on") {
            Thread.sleep(forTimeInterval: 0.1)
            started = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        #expect(started.contains("127.0.0.1:8460") && started.contains("127.0.0.1:8461"), "\(started)")
        let token = try run(["curl", "-sf", "-X", "PUT", "-H", "X-aliyun-ecs-metadata-token-ttl-seconds: 60",
                             "http://127.0.0.1:8461/latest/api/token"]).stdout
        let instance = try run(["curl", "-sf", "-H", "X-aliyun-ecs-metadata-token: \(token)",
                                "http://127.0.0.1:8461/latest/meta-data/instance-id"]).stdout
        #expect(instance == "i-cloud-1")
        // A signed call from the official SDK with the world's key.
        let bench = try PythonCloudSDK.runScript("lifecycle.py", arguments: ["core", "127.0.0.1:8460", "i-cloud-1", "vsw-zone-h", "sg-lab", "bench", "3"])
        #expect(bench.stdout.contains("\"calls\": 3"))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "SIGTERM is a clean stop")
    }
}
