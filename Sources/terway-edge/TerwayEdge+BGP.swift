import ArgumentParser
import BGP
import BGPCore
import Formatting
import Foundation
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
            let speaker: BGPSpeaker
            do {
                // The loaded config goes straight into the speaker, which keeps no second
                // copy of a full table's originate list.
                let loaded = try BGPConfig.load(contentsOf: config)
                speaker = BGPSpeaker(config: loaded, restarting: GracefulRestartMarker.consume(for: loaded),
                                     log: { say("bgp: \($0)") })
            } catch {
                throw ConfigRefused(description: "\(config): \(error)")
            }
            // Before start: the stream must see the first UPDATEs.
            var kernel: KernelRouteExport?
            if let config = speaker.config.kernel {
                let export = try KernelRouteExport(config, log: say)
                try await export.start(following: speaker)
                kernel = export
            }
            try await speaker.start()
            let running = speaker.config
            let listen = running.listen.map { " on \($0)" } ?? ""
            say("bgp: AS \(running.localAS) router-id \(running.routerID) listening\(listen), \(running.peers.count) peers, control \(running.controlSocket)")
            let signal = await Self.waitForTermination()
            say("bgp: signal \(signal), \(running.gracefulRestart == nil ? "sending Cease to peers" : "graceful restart close")")
            await speaker.shutdown()
            await kernel?.finish(keepingRoutes: running.gracefulRestart != nil)
            if running.gracefulRestart != nil, !GracefulRestartMarker.write(for: running) {
                say("bgp: warning: cannot write \(GracefulRestartMarker.path(for: running)): the next start will not be a graceful restart")
            }
            try? FileManager.default.removeItem(atPath: running.controlSocket)
        }

        /// Waits for SIGTERM or SIGINT and returns its number.
        static func waitForTermination() async -> Int32 {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
                let fired = Fired()
                for number in [SIGTERM, SIGINT] {
                    Foundation.signal(number, SIG_IGN)
                    let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
                    source.setEventHandler {
                        if fired.claim() { continuation.resume(returning: number) }
                    }
                    source.resume()
                    fired.keep(source)
                }
            }
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
                printTable(["ADDRESS", "AS", "STATE", "UPTIME", "RECEIVED", "ACCEPTED", "ADVERTISED", "LAST ERROR"],
                           peers.map { peer in
                               [peer.address, "\(peer.as)", peer.state, peer.state == "Established" ? Self.duration(peer.uptimeSeconds) : "-",
                                "\(peer.prefixesReceived)", "\(peer.prefixesAccepted)", "\(peer.prefixesAdvertised)",
                                peer.lastError.map { "\($0.code)/\($0.subcode) \($0.name)" } ?? "-"]
                           })
            }
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

/// A configuration the speaker will not start with; printed as `Error: FILE: field: reason`.
private struct ConfigRefused: Error, CustomStringConvertible {
    let description: String
}

/// One-shot flag for the signal handlers, which run on the main queue.
private final class Fired: @unchecked Sendable {
    private var done = false
    private var sources: [DispatchSourceSignal] = []
    func claim() -> Bool {
        defer { done = true }
        return !done
    }
    func keep(_ source: DispatchSourceSignal) { sources.append(source) }
}

/// A status line that reaches a log file at once (stdout to a file is block-buffered).
@Sendable func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

private func printJSON(_ value: some Encodable) {
    print(StableJSON.encode(value), terminator: "")
}

private func printTable(_ header: [String], _ rows: [[String]]) {
    print(TextTable.render(header, rows), terminator: "")
}
