import Agent
import BGP
import CNI
import CNIProtocol
import Foundation
import NetworkCore

extension NodeDoctor {
    struct SubnetFileReading {
        var prefixes: [IPPrefix]
        var finding: DoctorFinding
    }

    /// The file the plugin reads on every ADD: present, readable, and inside the plan's pod CIDRs.
    func readSubnetFile(_ path: String, config: AgentConfig?) -> SubnetFileReading {
        guard let data = FileManager.default.contents(atPath: path) else {
            return SubnetFileReading(prefixes: [], finding: .problem(
                "subnet.file", "\(path) is missing: pod ADDs wait for it (\"try again later\")",
                fix: "the agent writes it once it holds a lease: check `terway-edge status` and the agent's log (store reachable? pool full?)"))
        }
        let file: SubnetFile
        do throws(CNIError) { file = try SubnetFile(bytes: Array(data), path: path) } catch {
            return SubnetFileReading(prefixes: [], finding: .problem(
                "subnet.file", "\(path) is unreadable: \(error.msg)",
                fix: "delete it and restart the agent's pod: the agent writes it again from its lease"))
        }
        if let config {
            let pools = config.pools.map(\.block)
            let outside = file.subnets.filter { subnet in !pools.contains { $0.contains(subnet) } }
            if !outside.isEmpty {
                return SubnetFileReading(prefixes: file.subnets, finding: .problem(
                    "subnet.file", "\(path) holds \(outside.map(\.description).joined(separator: ", ")), outside the domain's pod CIDRs \(pools.map(\.description).joined(separator: ", "))",
                    fix: "a file from another cluster or plan: delete it and restart the agent's pod"))
            }
        }
        return SubnetFileReading(prefixes: file.subnets, finding: .ok(
            "subnet.file", "\(path): \(file.subnets.map(\.description).joined(separator: " "))" + (file.mtu.map { ", mtu \($0)" } ?? "")))
    }

    /// The agent's own account (`terway-edge status`): reachable, its problems, its lease
    /// the subnet file's, every BGP session Established.
    func checkAgent(socket: String, subnetFile: [IPPrefix]) -> [DoctorFinding] {
        let status: AgentStatus
        switch readStatus(socket) {
        case .success(let answer): status = answer
        case .failure(let problem): return [problem.finding]
        }
        var findings: [DoctorFinding] = [.ok("agent.socket", "\(socket): node \(status.node), role \(status.role)")]
        var problems = status.problems
        let leased = Set(status.lease.subnets)
        if !subnetFile.isEmpty, leased != Set(subnetFile.map(\.description)) {
            problems.append("the lease holds \(status.lease.subnets.joined(separator: " ")) but the subnet file \(subnetFile.map(\.description).joined(separator: " "))")
        }
        findings.append(problems.isEmpty
            ? .ok("agent.status", "lease \(status.lease.subnets.joined(separator: " ")), routes \(status.routes.installed)/\(status.routes.expected)")
            : .problem("agent.status", problems.joined(separator: "; "), fix: "follow the agent's own advice above; `terway-edge status` shows the details"))
        let down = status.peers.filter { $0.state != "Established" }
        if status.peers.isEmpty {
            findings.append(.problem("bgp.sessions", "no BGP peers configured: the gateway learns no pod subnet of this node",
                                     fix: "give the node network a gateway in the plan (edgeDomains[].nodeNetworks[].gateway)"))
        } else if !down.isEmpty {
            findings.append(.problem("bgp.sessions", down.map { peer in
                "\(peer.address) AS \(peer.as) \(peer.state)" + (peer.lastError.map { " (last error \($0.code)/\($0.subcode) \($0.name))" } ?? "")
            }.joined(separator: "; "),
            fix: "check the gateway's neighbour config against `terway-edge plan render --for bird|frr`, TCP 179 between node and gateway, and the MD5 password"))
        } else {
            findings.append(.ok("bgp.sessions", "\(status.peers.count) Established"))
        }
        return findings
    }

    /// A problem that is already a finding (`Result` needs an `Error`).
    struct FindingError: Error {
        var finding: DoctorFinding
    }

    /// The agent's `status` on its control socket, or the `agent.socket` problem.
    func readStatus(_ socket: String) -> Result<AgentStatus, FindingError> {
        do {
            let answer = try ControlClient.exchange(Data(#"{"command":"status"}"#.utf8), with: socket,
                                                    server: "the node agent", hint: "is terway-edged running?")
            return .success(try JSONDecoder().decode(AgentStatus.self, from: answer))
        } catch {
            return .failure(FindingError(finding: .problem(
                "agent.socket", "\(error)",
                fix: "check the agent's pod on this node (`kubectl -n terway-edge get pods -l app.kubernetes.io/name=terway-edge -o wide --field-selector spec.nodeName=NODE`) and its log")))
        }
    }
}
