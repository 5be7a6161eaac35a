import ArgumentParser
import Foundation
import Lab
import Plan

extension TerwayEdge {
    struct LabCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lab",
            abstract: "The seed's whole topology on this machine, in te-<lab>-* network namespaces, built from one plan.",
            discussion: "up builds the VPC (vSwitch router, cloud emulator on 100.100.100.200, ECS VMs, cloud nodes), a VBR and an Express Connect link per data center, each data-center router as its domain's BIRD edge gateway, edge nodes running terway-edged with pods wired by terway-edge-cni. test sends real packets along every path; down removes everything. Nothing is added to the host's own network namespace.",
            subcommands: [Up.self, Test.self, Status.self, Down.self]
        )
    }
}

/// Options every lab subcommand takes.
struct LabOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The lab's name: its namespaces are te-<name>-*, its state /run/terway-edge-lab/<name>/.", valueName: "name"))
    var name: String = "lab"

    /// Our other programs are built beside this one.
    var binaries: LabBinaries { LabBinaries(folder: programFolder()) }

    func validate() throws {
        guard !name.isEmpty, name.count <= 6, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ValidationError("--name: 1 to 6 letters or digits (namespace and link names derive from it)")
        }
    }
}

extension TerwayEdge.LabCommand {
    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the lab from a plan and wait until every node has its lease and its BGP sessions.",
            discussion: "Exit status: 0 when the lab is up, 1 when a stage failed (run `lab down` to remove what was made), 2 when the plan cannot be read."
        )

        @Argument(help: "The plan (default examples/seed.yaml).")
        var plan: String = "examples/seed.yaml"

        @Option(name: .customLong("edge-nodes"), help: "Edge nodes, spread over the plan's edge domains in turn.")
        var edgeNodes: Int = 3

        @Option(name: .customLong("cloud-nodes"), help: "Cloud nodes (ECS instances), spread over the plan's vSwitches.")
        var cloudNodes: Int = 2

        @Option(name: .customLong("pods-per-node"), help: "Pods on every node.")
        var podsPerNode: Int = 2

        @OptionGroup var options: LabOptions

        func validate() throws {
            guard (0...64).contains(edgeNodes), (0...16).contains(cloudNodes), (0...32).contains(podsPerNode) else {
                throw ValidationError("at most 64 edge nodes, 16 cloud nodes and 32 pods per node")
            }
        }

        func run() throws {
            let plan = try PlanFileOptions.load(self.plan)
            let report = CheckReport(plan: plan)
            guard report.isSound else {
                FileHandle.standardError.write(Data("\(self.plan): the plan has \(report.errors) error(s); run `terway-edge plan check \(self.plan)`\n".utf8))
                throw ExitCode(1)
            }
            let start = Date()
            print("lab \(options.name): building \(self.plan) with \(edgeNodes) edge node(s), \(cloudNodes) cloud node(s), \(podsPerNode) pod(s) per node")
            do {
                let builder = try LabBuilder(planPath: self.plan, plan: plan, size: LabSize(edgeNodes: edgeNodes, cloudNodes: cloudNodes, podsPerNode: podsPerNode),
                                             lab: options.name, binaries: options.binaries) { print($0) }
                let state = try builder.up()
                print(String(format: "lab %@ is up in %.2f s: %d namespaces, %d processes, %d pods. Next: terway-edge lab test",
                             options.name, Date().timeIntervalSince(start), state.namespaces.count, state.processes.count, state.pods.count))
            } catch {
                FileHandle.standardError.write(Data("lab up: \(error)\nremove what was made with: terway-edge lab down\(options.name == "lab" ? "" : " --name \(options.name)")\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send packets along every path of the lab; exit 0 only when all pass.",
            discussion: "Paths: edge pod to edge pod on one node, across nodes, across domains; edge pod to ECS VM and back; pod to the internet masqueraded as its node; every BGP session; the plan sound. A failure names the hop where the packet stopped, read from each namespace's routes."
        )

        @Option(help: "table or json (a list of {path, from, to, ok, latencyMs, detail}).")
        var output: OutputFormat = .table

        @OptionGroup var options: LabOptions

        func run() throws {
            guard let state = try LabState.load(lab: options.name) else { throw ValidationError("lab \(options.name) is not up; run `terway-edge lab up` first") }
            let checks = try LabTester(state: state, binaries: options.binaries).run()
            print(output == .json ? LabCheck.json(checks) : LabCheck.table(checks), terminator: "")
            if !state.ready || checks.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What the lab is made of, and whether its processes still run.")

        @OptionGroup var options: LabOptions

        func run() throws {
            guard let state = try LabState.load(lab: options.name) else {
                print("lab \(options.name) is not up")
                return
            }
            print(state.statusText, terminator: "")
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the lab's processes and remove its namespaces and files, also after an interrupted lab up.",
            discussion: "Exit status: 0 when nothing is left, 1 when a namespace could not be removed."
        )

        @OptionGroup var options: LabOptions

        func run() throws {
            let report = try LabTeardown.down(lab: options.name)
            print("lab \(options.name): stopped \(report.processes) process(es), removed \(report.namespaces) namespace(s)")
            if !report.left.isEmpty {
                FileHandle.standardError.write(Data("left behind: \(report.left.joined(separator: ", "))\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
