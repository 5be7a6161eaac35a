import ArgumentParser
import CNIInstall
import Doctor
import Foundation
import Formatting

extension TerwayEdge {
    /// `terway-edge doctor`: what stops pods on this node from getting a network.
    struct DoctorCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check this node (kernel, sysctls, CNI files, subnet file, agent, BGP, routes; on a cloud node its address socket, ENI pool and pod rules); each problem with its fix. Exit 0 healthy, 1 problems.",
            discussion: "Reads only. Runs in the calling network namespace: on the node, in the agent's pod (host network), or under `ip netns exec`. A config with `role: cloud` selects the cloud node's checks.")

        @Option(help: "The agent's configuration.")
        var config = "/etc/terway-edge/agent.yaml"

        @Option(help: "The runtime's CNI binary folder.")
        var cniBinDir = "/opt/cni/bin"

        @Option(help: "The runtime's CNI config folder.")
        var cniConfDir = "/etc/cni/net.d"

        @Option(help: "The subnet file (default: the config's).")
        var subnetFile: String?

        @Option(help: "The agent's control socket (default: the config's).")
        var socket: String?

        @Option(help: "Role cloud: the agent's address socket (default: the config's addressSocket).")
        var addressSocket: String?

        @Option(help: "The plugin this release ships, compared with the installed one (default: terway-edge-cni beside this program, when there).")
        var shippedPlugin: String?

        @Option(help: "The nft executable.")
        var nft = "nft"

        @Option(help: "table or json.")
        var output: OutputFormat = .table

        func run() throws {
            var inputs = NodeDoctor.Inputs()
            inputs.config = config
            inputs.cniBinDirectory = cniBinDir
            inputs.cniConfDirectory = cniConfDir
            inputs.subnetFile = subnetFile
            inputs.controlSocket = socket
            inputs.addressSocket = addressSocket
            inputs.nft = nft
            let beside = "\(programFolder())/\(PluginConflist.pluginName)"
            inputs.shippedPlugin = shippedPlugin ?? (FileManager.default.fileExists(atPath: beside) ? beside : nil)
            let findings = NodeDoctor(inputs).run()
            switch output {
            case .json:
                printJSON(findings)
            case .table:
                printTable(["CHECK", "OK", "DETAIL"], findings.map { [$0.check, $0.ok ? "ok" : "PROBLEM", $0.detail] })
                let problems = findings.filter { !$0.ok }
                print(problems.isEmpty ? "\nOK: no problems" : "\n\(problems.count) problem\(problems.count == 1 ? "" : "s"):")
                for problem in problems {
                    print("  \(problem.check): \(problem.detail)\n    fix: \(problem.fix ?? "-")")
                }
            }
            if findings.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }
}
