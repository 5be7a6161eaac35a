import ArgumentParser
import Agent
import CNIInstall
import CNIProtocol
import Foundation

extension TerwayEdge {
    /// The DaemonSets' init container: `terway-edge install-cni --mode edge|cloud --bin-dir /host/opt/cni/bin --conf-dir /host/etc/cni/net.d`.
    struct InstallCNI: ParsableCommand {
        enum Mode: String, ExpressibleByArgument, CaseIterable {
            case edge, cloud
        }

        static let configuration = CommandConfiguration(
            commandName: "install-cni",
            abstract: "Install terway-edge-cni and 10-terway-edge.conflist (plugin, then portmap) atomically.")

        @Option(help: "The plugin binary to install (default: terway-edge-cni beside this program).")
        var plugin: String?

        @Option(help: "The runtime's CNI binary folder.")
        var binDir = "/opt/cni/bin"

        @Option(help: "The runtime's CNI config folder.")
        var confDir = "/etc/cni/net.d"

        @Option(help: "The plugin's mode: edge (the node's subnets, on a bridge) or cloud (VPC addresses from the cloud agent's socket).")
        var mode: Mode = .edge

        @Option(help: "edge: the subnet file the agent writes (the plugin's subnetFile).")
        var subnetFile: String?

        @Option(help: "edge: the node bridge pods attach to (default: cni0).")
        var bridge: String?

        @Option(help: "cloud: the cloud agent's address socket (its addressSocket; default: \(PodAddressSocket.defaultPath)).")
        var socket: String?

        @Option(help: "cloud: seconds one answer from the agent may take (default: the plugin's, 60).")
        var socketTimeout: Int?

        @Option(help: "The pods' MTU (default: the subnet file's, else 1500).")
        var mtu: Int?

        @Option(help: "edge: where the plugin keeps its address reservations (default: the plugin's).")
        var dataDir: String?

        func validate() throws {
            if let mtu, !(576...65535).contains(mtu) { throw ValidationError("--mtu \(mtu) is outside 576...65535") }
            if let socketTimeout, !(1...600).contains(socketTimeout) {
                throw ValidationError("--socket-timeout \(socketTimeout) is outside 1...600")
            }
            if let socket, !socket.hasPrefix("/") { throw ValidationError("--socket \(socket) must be an absolute path") }
            // The plugin rejects the other mode's keys: refuse them here, before a node gets a conflist it cannot use.
            let misplaced = switch mode {
            case .edge: [("--socket", socket != nil), ("--socket-timeout", socketTimeout != nil)]
            case .cloud: [("--subnet-file", subnetFile != nil), ("--bridge", bridge != nil), ("--data-dir", dataDir != nil)]
            }
            if let (flag, _) = misplaced.first(where: { $0.1 }) {
                throw ValidationError("\(flag) has no meaning with --mode \(mode.rawValue)")
            }
        }

        var conflist: PluginConflist {
            switch mode {
            case .edge:
                PluginConflist(mode: .edge(subnetFile: subnetFile ?? AgentConfig.defaultSubnetFile, bridge: bridge ?? "cni0",
                                           dataDirectory: dataDir), mtu: mtu)
            case .cloud:
                PluginConflist(mode: .cloud(socket: socket ?? PodAddressSocket.defaultPath, socketTimeout: socketTimeout), mtu: mtu)
            }
        }

        func run() throws {
            let shipped = plugin ?? "\(programFolder())/\(PluginConflist.pluginName)"
            let installer = CNIInstaller(plugin: shipped, binDirectory: binDir, confDirectory: confDir,
                                         conflist: conflist)
            let report = try installer.install()
            print("\(report.binary): \(report.binaryReplaced ? "installed" : "unchanged")")
            print("\(report.conflist): \(report.conflistReplaced ? "written" : "unchanged")")
            if !report.shadowing.isEmpty {
                // The runtime takes the first config by name: ours is not the one pods get.
                FileHandle.standardError.write(Data(
                    "warning: \(report.shadowing.joined(separator: ", ")) in \(confDir) sort before \(PluginConflist.fileName); the runtime uses the first: remove them (another CNI's leftovers)\n".utf8))
            }
        }
    }
}
