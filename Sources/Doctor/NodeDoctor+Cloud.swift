import Agent
import CNI
import CNIProtocol
import Foundation
import Netlink
import NetworkCore

extension NodeDoctor {
    /// A cloud node's checks (its config has `role: cloud`): the config, forwarding, the CNI
    /// files in mode cloud pointing at the agent's address socket, that socket answering, the
    /// ENI pool as the agent reports it, and the pods' policy rules and ENI tables.
    func runCloud(configText: String) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let config: CloudAgentConfig?
        do {
            config = try CloudAgentConfig(yaml: configText, environment: .host)
            findings.append(.ok("config", "\(inputs.config): node \(config!.node), role cloud"))
        } catch {
            config = nil
            findings.append(.problem("config", "\(inputs.config): \(error)",
                                     fix: "mount the cloud DaemonSet's ConfigMap (cloud.yaml) at \((inputs.config as NSString).deletingLastPathComponent), or pass --config; `terway-edged --check-config` names the field"))
        }
        let status = readStatus(inputs.controlSocket ?? config?.controlSocket ?? AgentConfig.defaultControlSocket)
        // Pods' packets are routed between their veth and the ENIs; IPv6 too on dual-stack ENIs.
        findings += checkForwarding(ipv6: ((try? status.get())?.cloud?.ipv6PoolSize ?? 0) > 0)
        let addressSocket = inputs.addressSocket ?? config?.addressSocket ?? PodAddressSocket.defaultPath
        findings += checkCNIFiles(role: "cloud", addressSocket: addressSocket)
        findings.append(checkAddressSocket(addressSocket))
        switch status {
        case .failure(let problem):
            findings.append(problem.finding)
        case .success(let status):
            guard status.role == "cloud", let pool = status.cloud else {
                findings.append(.problem("agent.socket", "the agent answering is role \(status.role), this node's config role cloud",
                                         fix: "the edge DaemonSet's agent runs on this node: the node carries alibabacloud.com/is-edge-worker=true, which a cloud node must not (`kubectl label node NODE alibabacloud.com/is-edge-worker-`); then delete the edge agent's pod there"))
                return findings
            }
            findings.append(.ok("agent.socket", "node \(status.node), role cloud, instance \(pool.instance) (\(pool.instanceType))"))
            findings.append(Self.poolFinding(pool, problems: status.problems))
            findings.append(checkPodRouting(pool))
        }
        return findings
    }

    /// The plugin's STATUS, as the runtime asks it: can an ADD get an address now?
    func checkAddressSocket(_ path: String) -> DoctorFinding {
        let answer: PodAddressAnswer
        do throws(CNIError) { answer = try PodAddressClient(path: path, timeoutSeconds: 5).send(.status) } catch {
            return .problem("agent.addresses", error.msg + (error.details.isEmpty ? "" : " (\(error.details))"),
                            fix: "pod ADDs fail until it answers: check the cloud agent's pod on this node and its log; its addressSocket (cloud.yaml) and the conflist's socket must be the same path, on the host's /run/terway-edge")
        }
        if case .failed(let error) = answer {
            return .problem("agent.addresses", "\(path): no address can be given now: \(error.msg)" + (error.details.isEmpty ? "" : " (\(error.details))"),
                            fix: "see cloud.pool: the pool is at the instance type's quota, or the cloud API fails")
        }
        return .ok("agent.addresses", "\(path) answers: an ADD gets an address now")
    }

    /// The warm pool: the agent's problems (the cloud API failing, the quota reached) and
    /// fewer idle addresses than `minIdle`, each with what to do.
    static func poolFinding(_ pool: AgentStatus.CloudState, problems: [String]) -> DoctorFinding {
        let summary = "\(pool.poolSize) addresses (idle \(pool.idle), in use \(pool.inUse); minIdle \(pool.minIdle), maxIdle \(pool.maxIdle)) on \(pool.enis.count) of \(pool.maxENIs) ENIs"
        let atQuota = pool.enis.count >= pool.maxENIs
        var seen = problems
        if pool.idle < pool.minIdle { seen.append("idle \(pool.idle) is below minIdle \(pool.minIdle): the next pods wait for the cloud") }
        guard !seen.isEmpty else { return .ok("cloud.pool", summary) }
        let fix = if atQuota {
            "the instance type's ENIs are all attached: lower cloud.pool.minIdle (or the pods on this node), or move the pool to a larger instance type"
        } else if !problems.isEmpty {
            "the agent's calls to the cloud API fail, by the error above: Forbidden.RAM or InvalidAccessKeyId: its credentials (the instance's RAM role, or cloud.credentials.file) and their RAM policy (the ECS ENI actions); Throttling: lower cloud.apiRates; IpNotEnough: more vSwitches (cloud.vSwitches); a connection error: the ECS/VPC endpoint from the node. The agent's log (part=pool) has the failing call"
        } else {
            "the agent is filling the pool: if this stays, the agent's log (part=pool) says why"
        }
        return .problem("cloud.pool", summary + ": " + seen.joined(separator: "; "), fix: fix)
    }

    /// Each ENI's table holds its default route; each pod address has its two rules, the
    /// `from` one to an attached ENI's table; as many pods have rules as the pool says are
    /// in use.
    func checkPodRouting(_ pool: AgentStatus.CloudState) -> DoctorFinding {
        let rules: [Rule]
        var tablesWithDefault: Set<Int> = []
        do throws(NetlinkError) {
            let socket = try NetlinkSocket()
            rules = try socket.listRules(family: .v4) + socket.listRules(family: .v6)
            for family in [IPFamily.v4, .v6] {
                for route in try socket.listRoutes(family: family, table: nil) where route.destination.length == 0 {
                    tablesWithDefault.insert(Int(route.table))
                }
            }
        } catch {
            return .problem("cloud.routing", "cannot read the rules and routes: \(error)", fix: "run doctor on the node, as root")
        }
        let problems = Self.podRoutingProblems(enis: pool.enis.compactMap(Self.eniTable), rules: rules,
                                               tablesWithDefault: tablesWithDefault, inUse: pool.inUse)
        guard problems.isEmpty else {
            return .problem("cloud.routing", problems.joined(separator: "; "),
                            fix: "the agent puts back what it saw installed (within a second): what stays missing was never installed: delete those pods (their ADD runs again); remove a leftover rule with `ip rule del prio PRIORITY from|to ADDRESS`")
        }
        return .ok("cloud.routing", "\(pool.enis.count) ENI tables with their default route, rules of \(pool.inUse) pods")
    }

    /// (ENI, table) from the status' `eni-… slot N table T MAC vSwitch, K addresses`.
    static func eniTable(_ line: String) -> (eni: String, table: Int)? {
        let words = line.split(separator: " ").map(String.init)
        guard let eni = words.first, let index = words.firstIndex(of: "table"), index + 1 < words.count,
              let table = Int(words[index + 1]) else { return nil }
        return (eni, table)
    }

    /// What is wrong with the pods' policy routing (`CloudPodRouting`), as sentences.
    static func podRoutingProblems(enis: [(eni: String, table: Int)], rules: [Rule], tablesWithDefault: Set<Int>, inUse: Int) -> [String] {
        var problems: [String] = []
        for (eni, table) in enis where !tablesWithDefault.contains(table) {
            problems.append("table \(table) of \(eni) has no default route: its pods' traffic cannot leave the node")
        }
        let hosts = { (prefix: IPPrefix?) in prefix.flatMap { $0.length == $0.family.bitWidth ? $0 : nil } }
        let toPod = Set(rules.filter { $0.priority == UInt32(CloudPodRouting.toPodPriority) && $0.table == 254 }.compactMap { hosts($0.destination) })
        let fromPod = rules.filter { $0.priority == UInt32(CloudPodRouting.fromPodPriority) }
            .compactMap { rule in hosts(rule.source).map { ($0, Int(rule.table)) } }
        let tables = Set(enis.map(\.table))
        for (address, table) in fromPod where !tables.contains(table) {
            problems.append("`from \(address) lookup \(table)`: no attached ENI has table \(table) (a leftover, or an ENI the agent lost)")
        }
        let fromAddresses = Set(fromPod.map(\.0))
        for address in fromAddresses.subtracting(toPod).sorted(by: { $0.description < $1.description }) {
            problems.append("\(address) has no `to \(address) lookup main` rule (priority \(CloudPodRouting.toPodPriority)): traffic to the pod misses its veth")
        }
        for address in toPod.subtracting(fromAddresses).sorted(by: { $0.description < $1.description }) {
            problems.append("\(address) has no `from \(address) lookup <ENI table>` rule (priority \(CloudPodRouting.fromPodPriority)): the pod's traffic leaves by the main table, not its ENI")
        }
        // Each pod in use has one IPv4 address (and an IPv6 partner on dual-stack ENIs).
        let pods = toPod.intersection(fromAddresses).count { $0.family == .v4 }
        if pods < inUse {
            problems.append("\(inUse) pods hold addresses but \(pods) have their rules: the others' traffic goes nowhere")
        }
        return problems
    }
}
