import ArgumentParser
import Foundation
import Plan

extension TerwayEdge.PlanCommand {
    struct PlanCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check a plan for overlapping blocks, sizes that cannot hold it, and unusable BGP or link settings.",
            discussion: "Exit status: 0 when the plan is sound (warnings allowed), 1 when it has errors, 2 when the file cannot be read or parsed."
        )

        @OptionGroup var file: PlanFileOptions

        @Option(help: ArgumentHelp("Output format: table (for people) or json (stable, for tools).", valueName: "format"))
        var output: OutputFormat = .table

        func run() async throws {
            let report = CheckReport(plan: try file.load())
            print(output == .table ? report.table : report.json, terminator: "")
            if !report.isSound { throw ExitCode(1) }
        }
    }
}
