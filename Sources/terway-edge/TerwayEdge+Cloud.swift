import ArgumentParser
import CloudEmulator
import Foundation
import Logging
import ServiceLifecycle

extension TerwayEdge {
    struct CloudCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cloud",
            abstract: "The Alibaba Cloud side: a local emulator of the ECS/VPC API and instance metadata.",
            subcommands: [Emulator.self]
        )
    }
}

extension TerwayEdge.CloudCommand {
    struct Emulator: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve an emulated ECS/VPC API and metadata service for the world in a YAML file.",
            discussion: "Official SDKs and terway-edge's client cannot tell it from the service; attached ENIs are veth pairs in the world's namespaces. Stops on SIGINT/SIGTERM; the state file keeps the world."
        )

        @Option(help: "The world: region, VPC, vSwitches, instance types, instances, keys, faults.")
        var config: String

        @Option(help: "API listener ADDR:PORT (default: the world's listen, else 127.0.0.1:8460).")
        var listen: String?

        @Option(name: .customLong("metadata-listen"), help: "Metadata listener ADDR:PORT (default: the world's, else 127.0.0.1:8461).")
        var metadataListen: String?

        @Option(help: "State file (default: the world's state, else in memory).")
        var state: String?

        func run() async throws {
            guard let yaml = FileManager.default.contents(atPath: config) else { throw ValidationError("cannot read \(config)") }
            let world: EmulatorWorld
            do {
                world = try EmulatorWorld.load(yaml: String(decoding: yaml, as: UTF8.self))
            } catch {
                // As `plan check` does: exit code 2 and the line and field to fix.
                FileHandle.standardError.write(Data("\(config): \(error)\n".utf8))
                throw ExitCode(2)
            }
            let emulator = try CloudEmulator(world: world, statePath: state)
            let servers = try await emulator.serve(api: listen ?? world.listen, metadata: metadataListen ?? world.metadataListen)
            FileHandle.standardOutput.write(Data("cloud emulator: API on \(servers.api.channel.localAddress!), metadata on \(servers.metadata.channel.localAddress!)\n".utf8))
            // Stopped as the agent and the speaker are: a service group ending on SIGTERM/SIGINT.
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [ServiceGroupConfiguration.ServiceConfiguration(service: EmulatorService(servers: servers))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "cloud-emulator")))
            try await group.run()
        }
    }
}

/// The emulator's listeners as a service: they serve until graceful shutdown, then close.
private struct EmulatorService: Service {
    let servers: CloudEmulator.Servers

    func run() async throws {
        try? await gracefulShutdown()
        await servers.close()
    }
}
