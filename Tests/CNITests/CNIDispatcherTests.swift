import CNI
import JSON
import NetworkCore
import Testing

/// Records what the dispatcher hands over and answers with a fixed Result.
final class RecordingPlugin: CNIPluginVerbs {
    var requests: [CNIRequest] = []
    var failure: CNIError?

    func add(_ request: CNIRequest) throws -> CNIResult {
        requests.append(request)
        if let failure { throw failure }
        return CNIResult(interfaces: [.init(name: "eth0", sandbox: request.netns)],
                         ips: [.init(address: InterfaceAddress("10.0.3.7/24")!, gateway: IPAddress("10.0.3.1"), interface: 0)])
    }

    func del(_ request: CNIRequest) throws { requests.append(request); if let failure { throw failure } }
    func check(_ request: CNIRequest) throws { requests.append(request); if let failure { throw failure } }
    func gc(_ request: CNIRequest) throws { requests.append(request); if let failure { throw failure } }
    func status(_ request: CNIRequest) throws { requests.append(request); if let failure { throw failure } }
}

@Suite struct CNIDispatcherTests {
    static func config(_ version: String) -> [UInt8] {
        Array(#"{"cniVersion":"\#(version)","name":"edge","type":"terway-edge-cni"}"#.utf8)
    }

    static let env = ["CNI_CONTAINERID": "c0ffee", "CNI_NETNS": "/var/run/netns/p1", "CNI_IFNAME": "eth0",
                      "CNI_PATH": "/opt/cni/bin:/usr/lib/cni", "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAME=web"]

    func run(_ command: String, version: String = "1.1.0", env: [String: String] = env, stdin: [UInt8]? = nil,
             plugin: RecordingPlugin = RecordingPlugin()) -> (Int32, JSONValue?) {
        var environment = env
        environment["CNI_COMMAND"] = command
        var out = ""
        let status = CNIDispatcher().run(environment: environment, stdin: stdin ?? Self.config(version), plugin: plugin) { out += $0 }
        return (status, out.isEmpty ? nil : try? JSONValue.parse(out))
    }

    @Test func versionListsSupported() {
        let (status, out) = run("VERSION", env: [:], stdin: [])
        #expect(status == 0)
        #expect(out?["cniVersion"] == "1.1.0")
        #expect(out?["supportedVersions"] == ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"])
    }

    @Test(arguments: CNIVersion.supported)
    func addPrintsResultInRequestedVersion(version: CNIVersion) throws {
        let plugin = RecordingPlugin()
        let (status, out) = run("ADD", version: version.description, plugin: plugin)
        #expect(status == 0)
        #expect(out?["cniVersion"] == .string(version.description))
        #expect(out?["ips"]?.arrayValue?.first?["version"] == (version < .v1_0_0 ? "4" : nil))
        let request = try #require(plugin.requests.first)
        #expect(request.command == .add)
        #expect(request.containerID == "c0ffee")
        #expect(request.netns == "/var/run/netns/p1")
        #expect(request.ifname == "eth0")
        #expect(request.path == ["/opt/cni/bin", "/usr/lib/cni"])
        #expect(request.args.map(\.key) == ["IgnoreUnknown", "K8S_POD_NAME"])
        #expect(request.args.last?.value == "web")
    }

    @Test func delNeedsNoNetns() {
        var env = Self.env
        env["CNI_NETNS"] = nil
        let plugin = RecordingPlugin()
        let (status, out) = run("DEL", env: env, plugin: plugin)
        #expect(status == 0)
        #expect(out == nil)
        #expect(plugin.requests.first?.netns == "")
    }

    @Test func gatesVerbsByVersion() {
        for (command, version, allowed) in [("CHECK", "0.3.1", false), ("CHECK", "0.4.0", true), ("GC", "1.0.0", false),
                                           ("GC", "1.1.0", true), ("STATUS", "1.0.0", false), ("STATUS", "1.1.0", true)] {
            let plugin = RecordingPlugin()
            let (status, out) = run(command, version: version, plugin: plugin)
            #expect((status == 0) == allowed, "\(command) \(version)")
            #expect(plugin.requests.isEmpty == !allowed)
            if !allowed {
                #expect(out?["code"] == 1)
                #expect(out?["cniVersion"] == .string(version))
            }
        }
    }

    @Test func gcAndStatusNeedNoContainer() {
        let env = ["CNI_PATH": "/usr/lib/cni"]
        let plugin = RecordingPlugin()
        #expect(run("GC", env: env, plugin: plugin).0 == 0)
        #expect(run("STATUS", env: env, plugin: plugin).0 == 0)
        #expect(plugin.requests.map(\.containerID) == ["", ""])
    }

    static let badEnvironments: [(String, [String: String?], Int, String)] = [
        ("ADD", ["CNI_CONTAINERID": nil], 4, "required environment variables missing"),
        ("ADD", ["CNI_NETNS": nil], 4, "required environment variables missing"),
        ("ADD", ["CNI_CONTAINERID": "../etc"], 4, "invalid characters in CNI_CONTAINERID"),
        ("ADD", ["CNI_CONTAINERID": "a/b"], 4, "invalid characters in CNI_CONTAINERID"),
        ("ADD", ["CNI_CONTAINERID": "a..b"], 4, "invalid characters in CNI_CONTAINERID"),
        ("ADD", ["CNI_IFNAME": "eth0123456789abc"], 4, "is too long"),
        ("ADD", ["CNI_IFNAME": ".."], 4, "may not be"),
        ("ADD", ["CNI_IFNAME": "eth 0"], 4, "whitespace"),
        ("ADD", ["CNI_IFNAME": "eth:0"], 4, "whitespace"),
        // NetworkCore's LinkName: the data path's rule too, so DEL (0x7F) is refused here as
        // there, and so is Unicode whitespace (the spec's Go check), which Linux would accept.
        ("ADD", ["CNI_IFNAME": "eth\u{7F}"], 4, "control character"),
        ("ADD", ["CNI_IFNAME": "eth\u{A0}0"], 4, "whitespace"),
        ("ADD", ["CNI_NETNS": "relative/ns"], 4, "not an absolute path"),
        ("ADD", ["CNI_ARGS": "novalue"], 4, "not KEY=VALUE"),
        ("FROB", [:], 4, "unknown CNI_COMMAND"),
        ("", [:], 4, "CNI_COMMAND is not set"),
    ]

    @Test(arguments: badEnvironments)
    func refusesBadEnvironment(command: String, changes: [String: String?], code: Int, message: String) {
        var env = Self.env
        for (key, value) in changes { env[key] = value }
        let plugin = RecordingPlugin()
        let (status, out) = run(command, env: env, plugin: plugin)
        #expect(status == 1)
        #expect(out?["code"] == .integer(Int64(code)))
        #expect(out?["msg"]?.stringValue?.contains(message) == true, "\(String(describing: out))")
        #expect(plugin.requests.isEmpty)
    }

    @Test func pluginErrorsBecomeErrorJSON() {
        let plugin = RecordingPlugin()
        plugin.failure = CNIError(.tryAgainLater, "no free address", details: "delete pods")
        let (status, out) = run("ADD", version: "1.0.0", plugin: plugin)
        #expect(status == 1)
        #expect(out == ["cniVersion": "1.0.0", "code": 11, "msg": "no free address", "details": "delete pods"])
    }

    @Test func malformedStdinIsDecodeError() {
        let (status, out) = run("ADD", stdin: Array(#"{"cniVersion": "1.1.0",}"#.utf8))
        #expect(status == 1)
        #expect(out?["code"] == 6)
        #expect(out?["details"]?.stringValue?.contains("line 1, column 24") == true)
    }
}
