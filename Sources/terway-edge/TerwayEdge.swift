import ArgumentParser

/// The operator's CLI. The root holds only configuration; each feature is a
/// subcommand group in its own file (`TerwayEdge+Plan.swift`, ...).
@main
struct TerwayEdge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terway-edge",
        abstract: "Operate a TerwayEdge cloud-edge container network.",
        subcommands: [StatusCommand.self, DoctorCommand.self, PlanCommand.self, BGPCommand.self, IPAMCommand.self, CloudCommand.self,
                      LabCommand.self, InstallCNI.self]
    )
}
