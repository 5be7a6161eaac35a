import ArgumentParser
import Foundation
import Plan

extension TerwayEdge {
    struct PlanCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Check a cloud-edge CIDR plan and render device routes.",
            discussion: "A plan is a YAML file describing one cluster: VPC, vSwitches, services, data centers (each with its networks and its Express Connect circuit) and the edge domains behind them. See examples/seed.yaml.",
            subcommands: [PlanCheck.self, PlanRender.self]
        )
    }
}

/// The plan file argument shared by `plan check` and `plan render`.
struct PlanFileOptions: ParsableArguments {
    @Argument(help: "The plan, a YAML file (see examples/seed.yaml).")
    var plan: String

    /// Reads and parses the plan; an unreadable or unparsable file ends the command with
    /// exit code 2 and the line and field to fix.
    func load() throws -> Plan {
        try Self.load(plan)
    }

    static func load(_ plan: String) throws -> Plan {
        let text: String
        do {
            text = try String(contentsOfFile: plan, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("\(plan): cannot read the file: \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        do {
            return try Plan(yaml: text)
        } catch {
            FileHandle.standardError.write(Data("\(plan): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
