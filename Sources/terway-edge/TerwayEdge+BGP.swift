import Agent
import ArgumentParser
import BGP
import BGPCore
import Formatting
import Foundation
import Logging
import NetworkCore

extension TerwayEdge {
    struct BGPCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bgp",
            abstract: "Run and inspect the BGP speaker.",
            subcommands: [Serve.self, Peers.self, Routes.self]
        )
    }
}

extension TerwayEdge.BGPCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the BGP speaker in the foreground until SIGTERM or SIGINT.")

        @Option(help: "The speaker's YAML configuration.")
        var config: String

        func run() async throws {
            AgentLogging.bootstrap()
            try await SpeakerServe.run(configPath: config, logger: Logger(label: "terway-edge"))
        }
    }

    struct ControlOptions: ParsableArguments {
        @Option(help: "The speaker's control socket.")
        var socket = "/run/terway-edge/bgp.sock"

        @Option(help: "table or json.")
        var output: OutputFormat = .table
    }

    struct Peers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each peer's session state and prefix counts.")

        @OptionGroup var options: ControlOptions

        func run() async throws {
            let peers = try ControlClient.send(ControlRequest(command: "peers"), to: options.socket).peers ?? []
            switch options.output {
            case .json:
                printJSON(peers)
            case .table:
                Self.printTable(peers)
            }
        }

        /// Also the sessions part of `terway-edge status`.
        static func printTable(_ peers: [PeerStatus]) {
            print(TextTable.render(["ADDRESS", "AS", "STATE", "UPTIME", "RECEIVED", "ACCEPTED", "ADVERTISED", "LAST ERROR"],
                                   peers.map { peer in
                                       [peer.address, "\(peer.as)", peer.state, peer.state == "Established" ? duration(peer.uptimeSeconds) : "-",
                                        "\(peer.prefixesReceived)", "\(peer.prefixesAccepted)", "\(peer.prefixesAdvertised)",
                                        peer.lastError.map { "\($0.code)/\($0.subcode) \($0.name)" } ?? "-"]
                                   }), terminator: "")
        }

        /// Uptime of an Established session; a session that came up this second shows 00:00:00.
        static func duration(_ seconds: Int) -> String {
            let days = seconds / 86400, rest = seconds % 86400
            let clock = String(format: "%02d:%02d:%02d", rest / 3600, rest % 3600 / 60, rest % 60)
            return days > 0 ? "\(days)d \(clock)" : clock
        }
    }

    struct Routes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the Loc-RIB: the best route per prefix.")

        @Option(help: "Only routes inside this prefix.")
        var prefix: String?

        @OptionGroup var options: ControlOptions

        func validate() throws {
            if let prefix, IPPrefix(prefix) == nil {
                throw ValidationError("--prefix \(prefix) is not a prefix such as 10.0.0.0/16")
            }
        }

        func run() async throws {
            let routes = try ControlClient.send(ControlRequest(command: "routes", prefix: prefix),
                                                to: options.socket).routes ?? []
            switch options.output {
            case .json:
                printJSON(routes)
            case .table:
                printTable(["PREFIX", "NEXT HOP", "AS PATH", "ORIGIN", "LOCPRF", "MED", "COMMUNITIES", "FROM"],
                           routes.map { route in
                               [route.prefix, route.nextHop ?? "-", route.asPath.isEmpty ? "-" : route.asPath,
                                route.origin ?? "-", route.localPref.map(String.init) ?? "-",
                                route.med.map(String.init) ?? "-",
                                route.communities.isEmpty ? "-" : route.communities.joined(separator: " "),
                                route.alternatives > 0 ? "\(route.from) (+\(route.alternatives))" : route.from]
                           })
            }
        }
    }
}

func printJSON(_ value: some Encodable) {
    print(StableJSON.encode(value), terminator: "")
}

private func printTable(_ header: [String], _ rows: [[String]]) {
    print(TextTable.render(header, rows), terminator: "")
}
