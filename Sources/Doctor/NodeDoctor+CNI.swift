import CNI
import CNIInstall
import Foundation
import JSON

extension NodeDoctor {
    /// The runtime's side: our conflist is the first config it loads and chains our plugin,
    /// in the mode of the node's role (nil: either; cloud: asking the agent's `addressSocket`),
    /// then portmap; the plugin binary runs, speaks CNI 1.1.0 and is the one this release
    /// ships; portmap is installed.
    func checkCNIFiles(role: String?, addressSocket: String? = nil) -> [DoctorFinding] {
        [checkConflist(role: role, addressSocket: addressSocket), checkPlugin(), checkPortmap()]
    }

    private static let reinstall = "restart the agent's pod (its init container runs `terway-edge install-cni`)"

    func checkConflist(role: String?, addressSocket: String?) -> DoctorFinding {
        let path = "\(inputs.cniConfDirectory)/\(PluginConflist.fileName)"
        guard let data = FileManager.default.contents(atPath: path) else {
            return .problem("cni.conflist", "\(path) is missing: the runtime has no network for pods", fix: Self.reinstall)
        }
        let list: NetworkConfigList
        do {
            list = try NetworkConfigList(json: try JSONValue.parse(Array(data)))
        } catch {
            return .problem("cni.conflist", "\(path) is not a valid conflist: \(error)", fix: Self.reinstall)
        }
        let types = list.plugins.map { $0["type"]?.stringValue ?? "?" }
        guard types.first == PluginConflist.pluginName, types.contains("portmap") else {
            return .problem("cni.conflist", "\(path) chains \(types.joined(separator: ", ")); expected \(PluginConflist.pluginName) then portmap",
                            fix: Self.reinstall)
        }
        // The plugin's mode follows the node's role: an edge conflist on a cloud node waits for
        // a subnet file nobody writes, a cloud one on an edge node for a socket nobody serves.
        let mode = list.plugins[0]["mode"]?.stringValue ?? "edge"
        if let role, mode != role {
            return .problem("cni.conflist", "\(path) runs the plugin in mode \(mode); this node's agent (\(inputs.config)) has role \(role)",
                            fix: "the \(role) DaemonSet's init container runs `terway-edge install-cni --mode \(role)`; restart its pod on this node")
        }
        if mode == "cloud", let addressSocket, let socket = list.plugins[0]["socket"]?.stringValue, socket != addressSocket {
            return .problem("cni.conflist", "\(path) has the plugin ask \(socket); the agent serves \(addressSocket) (its addressSocket)",
                            fix: "run `terway-edge install-cni --mode cloud --socket \(addressSocket)` (the cloud DaemonSet's init container), or make the two paths the same")
        }
        let earlier = CNIInstaller.configsBefore(PluginConflist.fileName, in: inputs.cniConfDirectory)
        guard earlier.isEmpty else {
            return .problem("cni.conflist", "\(earlier.joined(separator: ", ")) sort before \(PluginConflist.fileName): the runtime uses the first config, not ours",
                            fix: "remove \(earlier.map { "\(inputs.cniConfDirectory)/\($0)" }.joined(separator: " ")) (another CNI's leftovers), then restart the runtime's pods on this node")
        }
        return .ok("cni.conflist", "\(path): \(types.joined(separator: " -> ")) (mode \(mode))")
    }

    func checkPlugin() -> DoctorFinding {
        let path = "\(inputs.cniBinDirectory)/\(PluginConflist.pluginName)"
        guard FileManager.default.fileExists(atPath: path) else {
            return .problem("cni.plugin", "\(path) is missing: every pod ADD fails", fix: Self.reinstall)
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return .problem("cni.plugin", "\(path) is not executable", fix: Self.reinstall)
        }
        let answer: String
        do { answer = try Self.version(of: path) } catch {
            return .problem("cni.plugin", "\(path) does not answer VERSION: \(error)", fix: Self.reinstall)
        }
        guard let versions = try? JSONValue.parse(Array(answer.utf8)).objectValue?["supportedVersions"]?.arrayValue,
              versions.contains(.string("1.1.0")) else {
            return .problem("cni.plugin", "\(path) answers VERSION with \(answer.prefix(200)); expected CNI 1.1.0 among supportedVersions",
                            fix: Self.reinstall)
        }
        if let shipped = inputs.shippedPlugin, let ours = FileManager.default.contents(atPath: shipped),
           FileManager.default.contents(atPath: path) != ours {
            return .problem("cni.plugin", "\(path) differs from this release's \(shipped): a stale plugin from an earlier install",
                            fix: Self.reinstall)
        }
        return .ok("cni.plugin", "\(path) speaks CNI \(versions.compactMap(\.stringValue).last ?? "?")"
            + (inputs.shippedPlugin == nil ? "" : ", the release's binary"))
    }

    func checkPortmap() -> DoctorFinding {
        let path = "\(inputs.cniBinDirectory)/portmap"
        return FileManager.default.isExecutableFile(atPath: path)
            ? .ok("cni.portmap", "\(path) installed")
            : .problem("cni.portmap", "\(path) is missing: pods with hostPort fail to start",
                       fix: "install the reference CNI plugins into \(inputs.cniBinDirectory) (Debian: containernetworking-plugins; or the node image's)")
    }

    /// `CNI_COMMAND=VERSION`: the plugin's answer on stdout.
    static func version(of plugin: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: plugin)
        process.environment = ["CNI_COMMAND": "VERSION"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A program that exits without reading gives EPIPE here (SIGPIPE is ignored: NodeDoctor.run).
        try? input.fileHandleForWriting.write(contentsOf: Data(#"{"cniVersion":"1.1.0"}"#.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
