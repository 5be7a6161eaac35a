import ArgumentParser
import CNIInstall
import Foundation

extension TerwayEdge {
    /// The DaemonSets' init container: `terway-edge install-cni --bin-dir /host/opt/cni/bin --conf-dir /host/etc/cni/net.d`.
    struct InstallCNI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install-cni",
            abstract: "Install terway-edge-cni and 10-terway-edge.conflist (plugin, then portmap) atomically.")

        @Option(help: "The plugin binary to install (default: terway-edge-cni beside this program).")
        var plugin: String?

        @Option(help: "The runtime's CNI binary folder.")
        var binDir = "/opt/cni/bin"

        @Option(help: "The runtime's CNI config folder.")
        var confDir = "/etc/cni/net.d"

        @Option(help: "The subnet file the agent writes (the plugin's subnetFile).")
        var subnetFile = "/run/terway-edge/subnet.json"

        @Option(help: "The node bridge pods attach to.")
        var bridge = "cni0"

        @Option(help: "The pods' MTU (default: the subnet file's, else 1500).")
        var mtu: Int?

        @Option(help: "Where the plugin keeps its address reservations (default: the plugin's).")
        var dataDir: String?

        func validate() throws {
            if let mtu, !(576...65535).contains(mtu) { throw ValidationError("--mtu \(mtu) is outside 576...65535") }
        }

        func run() throws {
            let shipped = plugin ?? URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
                .resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(EdgeConflist.pluginName).path
            let installer = CNIInstaller(plugin: shipped, binDirectory: binDir, confDirectory: confDir,
                                         conflist: EdgeConflist(subnetFile: subnetFile, bridge: bridge, mtu: mtu, dataDirectory: dataDir))
            let report = try installer.install()
            print("\(report.binary): \(report.binaryReplaced ? "installed" : "unchanged")")
            print("\(report.conflist): \(report.conflistReplaced ? "written" : "unchanged")")
            if !report.shadowing.isEmpty {
                // The runtime takes the first config by name: ours is not the one pods get.
                FileHandle.standardError.write(Data(
                    "warning: \(report.shadowing.joined(separator: ", ")) in \(confDir) sort before \(EdgeConflist.fileName); the runtime uses the first: remove them (another CNI's leftovers)\n".utf8))
            }
        }
    }
}
