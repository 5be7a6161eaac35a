import Agent
import Command
import Foundation
import Plan

/// `lab test`: every path of the seed's picture, with real packets between the lab's
/// namespaces; a failure names the hop where the packet stopped (`HopWalk`).
public struct LabTester {
    let state: LabState
    let plan: Plan
    let binaries: LabBinaries
    let walk: HopWalk

    public init(state: LabState, binaries: LabBinaries) throws {
        self.state = state
        self.binaries = binaries
        plan = try Plan(yaml: String(contentsOfFile: state.plan, encoding: .utf8))
        walk = try HopWalk(namespaces: state.namespaces)
    }

    /// A ping from one namespace to an address: who, where, and how the path is named.
    struct Probe {
        var path: String
        var from: (label: String, namespace: String, address: String)
        var to: (label: String, namespace: String, address: String)
    }

    public func run() -> [LabCheck] {
        var checks = [planCheck()]
        checks += sessionChecks()
        let probes = self.probes()
        checks += (try? parallel(probes) { ping($0) }) ?? []
        checks += (try? parallel(masqueradeProbes()) { masquerade($0) }) ?? []
        checks += (try? parallel(state.instances) { metadata($0) }) ?? []
        return checks
    }

    // MARK: - What is tested

    func planCheck() -> LabCheck {
        let report = CheckReport(plan: plan)
        return LabCheck(path: "plan", from: state.plan, to: "plan check", ok: report.isSound,
                        detail: "\(report.errors) error(s), \(report.warnings) warning(s)")
    }

    /// Every agent's sessions to its gateway, and the gateway's own count (BIRD).
    func sessionChecks() -> [LabCheck] {
        var checks = (try? parallel(state.edgeNodes) { node -> [LabCheck] in
            let socket = "\(LabState.directory(lab: state.lab))/\(node.name)/agent.sock"
            let output = (try? Command.run([binaries.cli, "status", "--socket", socket, "--output", "json"], check: false))?.stdout ?? ""
            guard let status = AgentStatus.decode(output) else {
                return [LabCheck(path: "bgp-session", from: node.name, to: node.domain + " gateway", ok: false, detail: "the agent does not answer on \(socket)")]
            }
            if status.peers.isEmpty {
                return [LabCheck(path: "bgp-session", from: node.name, to: node.domain + " gateway", ok: false, detail: "no peers configured")]
            }
            return status.peers.map { peer in
                LabCheck(path: "bgp-session", from: "\(node.name) (\(node.addresses[0]))", to: peer.address, ok: peer.state == "Established",
                         detail: peer.state == "Established" ? "Established, \(peer.prefixesAccepted) route(s) learned, \(peer.prefixesAdvertised) announced"
                            : "\(peer.state)\(peer.lastError.map { ": \($0.name)" } ?? "")")
            }
        }.flatMap { $0 }) ?? []
        for gateway in state.gateways {
            let expected = state.edgeNodes.filter { $0.domain == gateway.domain }.reduce(0) { $0 + $1.addresses.count }
            let protocols = (try? Command.run(["birdc", "-s", gateway.socket, "show", "protocols"], check: false))?.stdout ?? ""
            let established = protocols.split(separator: "\n").filter { $0.contains("BGP") && $0.contains("Established") }.count
            checks.append(LabCheck(path: "bgp-gateway", from: "gateway of \(gateway.domain)", to: "\(expected) node session(s)",
                                   ok: established == expected, detail: "BIRD: \(established) of \(expected) dynamic sessions Established"))
        }
        return checks
    }

    func probes() -> [Probe] {
        var probes: [Probe] = []
        let pods = state.pods.filter { $0.role == .edgePod }
        func end(_ pod: LabState.Pod, _ family: Int) -> (String, String, String)? {
            family < pod.addresses.count ? ("\(pod.name)", pod.namespace, pod.addresses[family]) : nil
        }
        func add(_ path: String, _ a: LabState.Pod, _ b: LabState.Pod) {
            for family in 0..<2 {
                guard let from = end(a, family), let to = end(b, family), from.2.contains(":") == to.2.contains(":") else { continue }
                probes.append(Probe(path: path + (from.2.contains(":") ? " ipv6" : ""), from: from, to: to))
            }
        }
        let domainOf = Dictionary(state.edgeNodes.map { ($0.name, $0.domain) }, uniquingKeysWith: { a, _ in a })
        // One node: the first two pods of every node.
        for node in state.edgeNodes {
            let mine = pods.filter { $0.node == node.name }
            if mine.count >= 2 { add("edge-pod/edge-pod same-node", mine[0], mine[1]) }
        }
        // Across nodes: the first pod of each node to the first pod of the next node of its domain.
        let firsts = state.edgeNodes.compactMap { node in pods.first { $0.node == node.name } }
        for domain in plan.edgeDomains.map(\.name) {
            let here = firsts.filter { domainOf[$0.node] == domain }
            for (a, b) in zip(here, here.dropFirst()) { add("edge-pod/edge-pod cross-node", a, b) }
        }
        // Across domains: the first pod of each domain to the first pod of every other.
        let heads = plan.edgeDomains.compactMap { domain in firsts.first { domainOf[$0.node] == domain.name } }
        for a in heads { for b in heads where a.namespace != b.namespace { add("edge-pod/edge-pod cross-domain", a, b) } }
        // The ECS VMs, from the first pod of each domain, and back.
        for vm in state.instances where !vm.isCloudNode {
            for pod in heads {
                let vmEnd = ("\(vm.id)", vm.namespace, vm.primaryIP)
                probes.append(Probe(path: "edge-pod/ecs-vm", from: ("\(pod.name)", pod.namespace, pod.addresses[0]), to: vmEnd))
                probes.append(Probe(path: "ecs-vm/edge-pod", from: vmEnd, to: ("\(pod.name)", pod.namespace, pod.addresses[0])))
            }
        }
        // Cloud pods: on one node, across nodes, with the edge pods both ways, to the ECS VMs.
        let cloudPods = state.pods.filter { $0.role == .cloudPod }
        let cloudNodes = state.instances.compactMap(\.node)
        for node in cloudNodes {
            let mine = cloudPods.filter { $0.node == node }
            if mine.count >= 2 { add("cloud-pod/cloud-pod same-node", mine[0], mine[1]) }
        }
        let cloudFirsts = cloudNodes.compactMap { node in cloudPods.first { $0.node == node } }
        for (a, b) in zip(cloudFirsts, cloudFirsts.dropFirst()) { add("cloud-pod/cloud-pod cross-node", a, b) }
        for cloud in cloudFirsts {
            for pod in heads {
                add("edge-pod/cloud-pod", pod, cloud)
                add("cloud-pod/edge-pod", cloud, pod)
            }
            for vm in state.instances where !vm.isCloudNode {
                probes.append(Probe(path: "cloud-pod/ecs-vm", from: ("\(cloud.name)", cloud.namespace, cloud.addresses[0]),
                                    to: ("\(vm.id)", vm.namespace, vm.primaryIP)))
            }
        }
        return probes
    }

    func ping(_ probe: Probe) -> LabCheck {
        let result = try? Command.run(["ip", "netns", "exec", probe.from.namespace, "ping", "-n", "-c", "1", "-W", "2", probe.to.address], check: false)
        let from = "\(probe.from.label) (\(probe.from.address))", to = "\(probe.to.label) (\(probe.to.address))"
        if let result, result.succeeded, let time = result.stdout.range(of: "time=") {
            let number = result.stdout[time.upperBound...].prefix { $0.isNumber || $0 == "." }
            let hops = walk.walk(from: probe.from.namespace, source: probe.from.address, to: probe.to.address)
            return LabCheck(path: probe.path, from: from, to: to, ok: true, latencyMs: Double(number),
                            detail: walk.path(hops.hops))
        }
        return LabCheck(path: probe.path, from: from, to: to, ok: false,
                        detail: walk.explain(from: probe.from.namespace, source: probe.from.address, to: probe.to.namespace, destination: probe.to.address))
    }

    // MARK: - Masquerade

    struct MasqueradeProbe {
        var pod: LabState.Pod
        var node: LabTopology.EdgeNode
    }

    func masqueradeProbes() -> [MasqueradeProbe] {
        plan.edgeDomains.compactMap { domain in
            guard let node = state.edgeNodes.first(where: { $0.domain == domain.name }),
                  let pod = state.pods.first(where: { $0.node == node.name }) else { return nil }
            return MasqueradeProbe(pod: pod, node: node)
        }
    }

    /// A TCP connection from the pod to the internet host: the listener there must see the node's address.
    func masquerade(_ probe: MasqueradeProbe) -> LabCheck {
        let internet = "te-\(state.lab)-net", host = LabTopology.internetHost
        let from = "\(probe.pod.name) (\(probe.pod.addresses[0]))", to = "internet \(host)"
        do {
            let seen = try SourceProbe.connect(from: "/var/run/netns/\(probe.pod.namespace)", to: host,
                                               listenerNamespace: "/var/run/netns/\(internet)")
            let node = probe.node.addresses[0]
            return LabCheck(path: "edge-pod/internet masquerade", from: from, to: to, ok: seen.source == node, latencyMs: seen.milliseconds,
                            detail: seen.source == node ? "source seen as the node \(node)" : "source seen as \(seen.source), not the node \(node): not masqueraded")
        } catch {
            return LabCheck(path: "edge-pod/internet masquerade", from: from, to: to, ok: false,
                            detail: "\(error); \(walk.explain(from: probe.pod.namespace, source: probe.pod.addresses[0], to: internet, destination: host))")
        }
    }

    // MARK: - The cloud emulator

    /// Each ECS instance asks the metadata service at 100.100.100.200 who it is (token first,
    /// as the SDKs do): the answer must be its own instance id, told apart by source address.
    func metadata(_ instance: LabTopology.Instance) -> LabCheck {
        let path = "/var/run/netns/\(instance.namespace)", host = LabTopology.cloudAddress
        let from = "\(instance.id) (\(instance.primaryIP))", to = "metadata \(host)"
        let start = Date()
        do {
            let token = try SourceProbe.http(from: path, to: host, port: 80, method: "PUT", path: "/latest/api/token",
                                             headers: ["X-aliyun-ecs-metadata-token-ttl-seconds": "60"])
            guard token.status == 200 else { throw SourceProbe.Failure(description: "token: HTTP \(token.status) \(token.body)") }
            let id = try SourceProbe.http(from: path, to: host, port: 80, method: "GET", path: "/latest/meta-data/instance-id",
                                          headers: ["X-aliyun-ecs-metadata-token": token.body])
            let ok = id.status == 200 && id.body == instance.id
            return LabCheck(path: "\(instance.isCloudNode ? "cloud-node" : "ecs-vm")/metadata", from: from, to: to, ok: ok,
                            latencyMs: (Date().timeIntervalSince(start) * 1_000_000).rounded() / 1000,
                            detail: ok ? "answered as \(id.body)" : "HTTP \(id.status): \(id.body.prefix(120))")
        } catch {
            return LabCheck(path: "\(instance.isCloudNode ? "cloud-node" : "ecs-vm")/metadata", from: from, to: to, ok: false,
                            detail: "\(error); \(walk.explain(from: instance.namespace, source: instance.primaryIP, to: state.namespaces.first { $0.role == .vpc }?.name ?? "", destination: host))")
        }
    }
}
