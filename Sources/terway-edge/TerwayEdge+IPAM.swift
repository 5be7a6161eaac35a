import ArgumentParser

extension TerwayEdge {
    struct IPAMCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ipam",
            abstract: "Inspect node subnet leases.",
            subcommands: []
        )
    }
}
