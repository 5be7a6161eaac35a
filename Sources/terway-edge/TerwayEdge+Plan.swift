import ArgumentParser

extension TerwayEdge {
    struct PlanCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Check a cloud-edge CIDR plan and render device routes.",
            subcommands: []
        )
    }
}
