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
            subcommands: [Serve.self, Peers.self, Routes.self, Clear.self, Disable.self, Enable.self]
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
            MemoryFootprint.configureAllocator()
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
            try Self.show(try ControlClient.send(ControlRequest(command: "peers"), to: options.socket).peers ?? [],
                          options.output)
        }

        static func show(_ peers: [PeerStatus], _ output: OutputFormat) throws {
            switch output {
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
                                       [peer.address, "\(peer.as)", peer.state, peer.state == "Established" ? DurationText.format(seconds: peer.uptimeSeconds, .clock) : "-",
                                        "\(peer.prefixesReceived)", "\(peer.prefixesAccepted)", "\(peer.prefixesAdvertised)",
                                        peer.lastError.map { "\($0.code)/\($0.subcode) \($0.name)" } ?? "-"]
                                   }), terminator: "")
        }
    }

    struct Routes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the Loc-RIB: the best route per prefix.")

        @Option(help: "Only routes inside this prefix.")
        var prefix: String?

        @Flag(help: "The announcements the import policy refused, and why, instead of the Loc-RIB.")
        var rejected = false

        @OptionGroup var options: ControlOptions

        func validate() throws {
            if let prefix, IPPrefix(prefix) == nil {
                throw ValidationError("--prefix \(prefix) is not a prefix such as 10.0.0.0/16")
            }
        }

        func run() async throws {
            let routes = try ControlClient.send(ControlRequest(command: "routes", prefix: prefix, rejected: rejected ? true : nil),
                                                to: options.socket).routes ?? []
            switch options.output {
            case .json:
                printJSON(routes)
            case .table where rejected:
                printTable(["PREFIX", "FROM", "REJECTED BECAUSE"],
                           routes.map { [$0.prefix, $0.from, $0.rejected ?? "-"] })
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

extension TerwayEdge.BGPCommand {
    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reset a peer's session (Cease 6/4); it comes back after the idle hold.")
        @Argument(help: "The peer's address.") var peer: String
        @OptionGroup var options: ControlOptions
        func run() async throws { try Peers.command("clear", peer: peer, options: options) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a peer's session (Cease 6/2) and keep it down until `enable`.")
        @Argument(help: "The peer's address.") var peer: String
        @OptionGroup var options: ControlOptions
        func run() async throws { try Peers.command("disable", peer: peer, options: options) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a disabled peer's session again.")
        @Argument(help: "The peer's address.") var peer: String
        @OptionGroup var options: ControlOptions
        func run() async throws { try Peers.command("enable", peer: peer, options: options) }
    }
}

extension TerwayEdge.BGPCommand.Peers {
    /// Sends a peer command and prints the peer's row as `bgp peers` would.
    static func command(_ name: String, peer: String, options: TerwayEdge.BGPCommand.ControlOptions) throws {
        guard IPAddress(peer) != nil else { throw ValidationError("\(peer) is not an IPv4 or IPv6 address") }
        let peers = try ControlClient.send(ControlRequest(command: name, peer: peer), to: options.socket).peers ?? []
        try show(peers, options.output)
    }
}

func printJSON(_ value: some Encodable) {
    print(StableJSON.encode(value), terminator: "")
}

func printTable(_ header: [String], _ rows: [[String]]) {
    print(TextTable.render(header, rows), terminator: "")
}
