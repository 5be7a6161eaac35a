import CNI
import Foundation
import IPAM
import JSON
import NetworkCore
import TestSupport

/// What one run of a plugin binary printed and how it ended.
struct PluginRun {
    let status: Int32
    let stdout: String
    /// Logs (the reference plugins write some there); kept out of the JSON.
    var stderr = ""
    var json: JSONValue? { try? JSONValue.parse(stdout) }
    var code: Int64? { json?["code"]?.integerValue }
    var message: String { json?["msg"]?.stringValue ?? stdout }
}

/// A "node": a `te-` namespace standing in for the host, where the plugin runs as a
/// runtime would run it (`ip netns exec NODE plugin`, CNI_* in the environment, config on
/// stdin), plus a scratch data directory for the IPAM store.
final class EdgeNode: @unchecked Sendable {
    let namespace: TestNamespace
    let data: TemporaryDirectory
    let binary: String
    let network = "edge"

    init(_ label: String = "node") throws {
        binary = try builtExecutable("terway-edge-cni")
        namespace = try TestNamespace(label)
        data = try TemporaryDirectory("te-cni")
    }

    var storeDirectory: String { data.file(network) }

    /// A single-plugin config for this node.
    func config(version: CNIVersion = .latest, subnet: JSONValue = ["10.0.3.0/24", "fd00:0:3::/64"],
                extra: [String: JSONValue] = [:]) -> JSONValue {
        var object = JSONObject()
        object["cniVersion"] = .string(version.description)
        object["name"] = .string(network)
        object["type"] = "terway-edge-cni"
        object["mode"] = "edge"
        object["subnet"] = subnet
        object["bridge"] = "cni0"
        object["mtu"] = 1450
        object["dataDir"] = .string(data.path)
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) { object[key] = value }
        return .object(object)
    }

    /// Runs `binary` (ours unless given) for one verb inside the node namespace.
    func run(_ command: String, config: JSONValue, containerID: String? = nil, netns: String? = nil,
             ifname: String? = nil, binary: String? = nil, extraEnvironment: [String: String] = [:]) throws -> PluginRun {
        try runRaw(command, stdin: config.serialized(), containerID: containerID, netns: netns, ifname: ifname, binary: binary,
                   extraEnvironment: extraEnvironment)
    }

    func runRaw(_ command: String, stdin: String, containerID: String? = nil, netns: String? = nil,
                ifname: String? = nil, binary: String? = nil, extraEnvironment: [String: String] = [:]) throws -> PluginRun {
        var env = ["CNI_COMMAND": command, "CNI_PATH": "/usr/lib/cni:" + (self.binary as NSString).deletingLastPathComponent,
                   "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        env["CNI_CONTAINERID"] = containerID
        env["CNI_NETNS"] = netns
        env["CNI_IFNAME"] = ifname
        env.merge(extraEnvironment) { _, extra in extra }
        let result = try namespace.exec([binary ?? self.binary], stdin: stdin, environment: env, check: false)
        return PluginRun(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// The store as the plugin left it: every reserved address and its owner.
    func reservations() throws -> [IPAddress: IPAMOwner?] {
        guard FileManager.default.fileExists(atPath: storeDirectory) else { return [:] }
        let store = try FileStore(directory: storeDirectory)
        return try store.locked { try store.reservations() }
    }

    /// Names of the links in the node namespace.
    func links() throws -> [String] {
        try namespace.exec(["ip", "-o", "link", "show"]).stdout.split(separator: "\n").compactMap { line in
            line.split(separator: ":", maxSplits: 2).dropFirst().first.map { String($0.trimmingCharacters(in: .whitespaces).split(separator: "@").first!) }
        }
    }
}

/// A pod's network namespace for tests.
extension TestNamespace {
    /// The addresses on `ifname` inside this namespace, as `address/length`.
    func addresses(on ifname: String) throws -> [String] {
        try exec(["ip", "-o", "addr", "show", "dev", ifname, "scope", "global"]).stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard let i = fields.firstIndex(where: { $0 == "inet" || $0 == "inet6" }), i + 1 < fields.count else { return nil }
            return String(fields[i + 1])
        }
    }
}
