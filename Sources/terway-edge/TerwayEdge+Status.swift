import Agent
import ArgumentParser
import BGP
import Foundation

extension TerwayEdge {
    struct StatusCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show what the node agent is doing: problems first, then lease, routes, BGP sessions, masquerade (role cloud: the address pool, its ENIs, repairs, API calls).")

        @Option(help: "The agent's control socket.")
        var socket = "/run/terway-edge/agent.sock"

        @Option(help: "table or json.")
        var output: OutputFormat = .table

        func run() async throws {
            let answer = try ControlClient.exchange(Data(#"{"command":"status"}"#.utf8), with: socket,
                                                    server: "the node agent", hint: "is terway-edged running?")
            guard let status = try? JSONDecoder().decode(AgentStatus.self, from: answer) else {
                struct Refusal: Decodable { var error: String }
                if let refusal = try? JSONDecoder().decode(Refusal.self, from: answer) {
                    throw StatusRefused(description: refusal.error)
                }
                throw StatusRefused(description: "unreadable answer from \(socket)")
            }
            switch output {
            case .json:
                printJSON(status)
            case .table:
                Self.printTable(status)
            }
        }

        /// What an operator reads first when a pod cannot reach another: the problems on
        /// top, then the lease, the host routes (what is missing), masquerade, BGP sessions.
        static func printTable(_ status: AgentStatus) {
            if status.problems.isEmpty {
                print("OK: no problems")
            } else {
                print("PROBLEMS")
                for problem in status.problems { print("  - \(problem)") }
            }
            print("")
            if let cloud = status.cloud {
                printCloud(node: status.node, cloud)
                return
            }
            print("NODE \(status.node)  ROLE \(status.role)  DOMAIN \(status.domain)")
            print("LEASE \(status.lease.subnets.isEmpty ? "none" : status.lease.subnets.joined(separator: " "))"
                + (status.lease.expiresAt.map { "  expires \($0)" } ?? ""))
            let routes = status.routes
            print("ROUTES \(routes.installed)/\(routes.expected) installed"
                + (routes.missing.isEmpty ? "" : ", missing: \(routes.missing.joined(separator: " "))"))
            if !routes.viaGateway.isEmpty {
                print("  through the gateway (no directly connected network, no host route): \(routes.viaGateway.joined(separator: " "))")
            }
            print("MASQUERADE \(status.masquerade.installed ? "installed, \(status.masquerade.rules.count) rules" : "not installed")")
            print("")
            TerwayEdge.BGPCommand.Peers.printTable(status.peers)
        }

        /// Role cloud: the pool, its ENIs (slot and table each), repairs, the API calls.
        static func printCloud(node: String, _ cloud: AgentStatus.CloudState) {
            print("NODE \(node)  ROLE cloud  INSTANCE \(cloud.instance) (\(cloud.instanceType))")
            let addresses = cloud.ipv6PoolSize.map { "\(cloud.poolSize) IPv4 + \($0) IPv6 addresses" } ?? "\(cloud.poolSize) addresses"
            print("POOL \(addresses): \(cloud.inUse) in use, \(cloud.idle) idle (bounds \(cloud.minIdle)...\(cloud.maxIdle))")
            print("ENIS \(cloud.enis.count)/\(cloud.maxENIs)")
            for eni in cloud.enis { print("  \(eni)") }
            print("REPAIRED \(cloud.leaksRepaired) leaked addresses or ENIs, \(cloud.routesRepaired) pod rules or routes; \(cloud.intentsOpen) cloud changes in flight")
            print("API CALLS (throttled)")
            for action in cloud.apiCalls.keys.sorted() {
                print("  \(action) \(cloud.apiCalls[action]!) (\(cloud.apiThrottled[action] ?? 0))")
            }
        }
    }
}

/// The agent refused the request or answered something unreadable.
private struct StatusRefused: Error, CustomStringConvertible {
    let description: String
}
