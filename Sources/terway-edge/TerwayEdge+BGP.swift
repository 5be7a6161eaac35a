import ArgumentParser

extension TerwayEdge {
    struct BGPCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bgp",
            abstract: "Run and inspect the BGP speaker.",
            subcommands: []
        )
    }
}
