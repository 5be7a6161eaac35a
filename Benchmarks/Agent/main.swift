import Foundation
import Netlink
import NetworkCore
import RouteSync
import SubnetStore
import Synchronization
import TestSupport

// terway-edged with 1,000 peer leases in a node namespace: its resident memory once idle,
// beside BIRD 2 holding the same 1,000 routes in the kernel (a routing daemon doing the
// same job), measured in the same run. Then 1,000 lease changes (a peer's node address
// moves), each timed by the agent from the event's arrival to the kernel's ACK (it logs it
// per change) and here from the store write to the change seen in the kernel, beside
// RouteSync's writer alone in this process. `bench-agent memory` stops after the idle
// memory (with its breakdown by mapping).

let peerCount = 1000

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// A node namespace with `v0` 10.100.0.1/16 toward a peer namespace: the peers' node addresses are on it.
func nodeNamespace(_ label: String) throws -> (TestNamespace, TestNamespace) {
    let node = try TestNamespace(label)
    let peer = try TestNamespace("\(label)p")
    try node.link(to: peer, localName: "v0", remoteName: "v1", localAddresses: ["10.100.0.1/16"], remoteAddresses: ["10.100.0.2/16"])
    return (node, peer)
}

/// Peer `i`'s node address: 10.100.0.3 onwards, or (`moved`) 10.100.8.3 onwards.
func address(_ i: Int, moved: Bool = false) -> IPAddress {
    .v4(IPv4Address(0x0A64_0003 + (moved ? 0x800 : 0) + UInt32(i)))
}

/// Resident and proportional set size in kB (`/proc/PID/smaps_rollup`: Rss, Pss).
func memoryKB(_ pid: Int32) -> (rss: Int, pss: Int) {
    let rollup = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Int {
        let line = rollup.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return (field("Rss"), field("Pss"))
}

/// CPU time (user + system) `pid` spends over `seconds` of wall time, in percent of one core:
/// what an idle agent costs a node.
func idleCPUPercent(_ pid: Int32, over seconds: UInt32) -> Double {
    func ticks() -> Int {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // Fields after the command name, which may hold spaces: utime and stime are 14 and 15.
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        return fields.count > 12 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : 0
    }
    let before = ticks()
    sleep(seconds)
    return Double(ticks() - before) / Double(sysconf(Int32(_SC_CLK_TCK))) / Double(seconds) * 100
}

/// `/proc/PID/smaps` summed per mapping (the file's name, or [heap], [stack], anonymous):
/// (name, Rss, Private_Dirty, clean file pages) in kB, largest Rss first.
func memoryByMapping(_ pid: Int32) -> [(name: String, rss: Int, dirty: Int, clean: Int)] {
    // Read to the end: a /proc file has no size for String(contentsOfFile:) to go by.
    let smaps = String(decoding: FileHandle(forReadingAtPath: "/proc/\(pid)/smaps")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
    var sums: [String: (rss: Int, dirty: Int, clean: Int)] = [:]
    var current = ""
    for line in smaps.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = fields.first else { continue }
        if !first.hasSuffix(":") {
            current = fields.count > 5 ? String(fields[5].split(separator: "/").last ?? fields[5]) : "[anonymous]"
            continue
        }
        guard fields.count > 1, let kB = Int(fields[1]) else { continue }
        switch first {
        case "Rss:": sums[current, default: (0, 0, 0)].rss += kB
        case "Private_Dirty:": sums[current, default: (0, 0, 0)].dirty += kB
        case "Shared_Clean:", "Private_Clean:": sums[current, default: (0, 0, 0)].clean += kB
        default: break
        }
    }
    return sums.map { (name: $0.key, rss: $0.value.rss, dirty: $0.value.dirty, clean: $0.value.clean) }.sorted { $0.rss > $1.rss }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

let work = try TemporaryDirectory("te-bench-agent")
// A top-level value is never deinitialized: the folder is removed here, as the namespaces are below.
defer { try? FileManager.default.removeItem(atPath: work.path) }
let plan = """
vpc: {cidrs: [192.168.0.0/16], vSwitches: [{name: a, cidrs: [192.168.0.0/24]}], cloudNodes: 1, podsPerCloudNode: 10}
services: {cidrs: [172.21.0.0/24], expectedServices: 10}
dataCenters:
  - {name: site, networks: [10.100.0.0/16], circuit: {links: [{cidr: 172.31.0.0/30, vbr: 172.31.0.1, dcRouter: 172.31.0.2}]}}
edgeDomains:
  - name: dc1
    dataCenter: site
    podCIDRs: [11.0.0.0/12]
    nodeSubnetLength: {ipv4: 24}
    nodeNetworks: [{cidr: 10.100.0.0/16, gateway: 10.100.255.254}]
    edgeNodes: 2000
    podsPerEdgeNode: 100
    gateway: {as: 65000, nodesAS: 65001}

"""
try work.write("plan.yaml", plan)
let storeURL = "file://\(work.file("leases.db"))"
let store = try await LeaseStoreFactory.open(url: storeURL, options: LeaseStoreOptions(
    pools: [try NodeSubnetAllocator(clusterCIDR: IPPrefix("11.0.0.0/12")!, subnetLength: 24)]))
for i in 0..<peerCount {
    _ = try await store.acquire(LeaseRequest(node: "peer-\(i)", nodeAddress: address(i), ttl: .seconds(86400)))
}
try work.write("agent.yaml", """
plan: \(work.file("plan.yaml"))
node: bench
nodeAddress: 10.100.0.1
store: \(storeURL)
subnetFile: \(work.file("subnet.json"))
controlSocket: \(work.file("agent.sock"))
masquerade: false
bgp: {kernel: false}

""")

// --- ours: cold start to every route installed, then idle RSS.
// Top-level values are never deinitialized: every namespace is deleted explicitly at the end.
var namespaces: [TestNamespace] = []
defer { for namespace in namespaces { namespace.delete() } }
let (node, peerSide) = try nodeNamespace("bagent")
namespaces += [node, peerSide]
let started = Date()
// BENCH_AGENT_WRAP="valgrind --tool=callgrind ..." runs the agent under a tool (`scripts/agent-symbol-order.sh`).
let wrapper = ProcessInfo.processInfo.environment["BENCH_AGENT_WRAP"].map { $0.split(separator: " ").map(String.init) } ?? []
let agent = try node.spawn(wrapper + [try builtExecutable("terway-edged"), "--config", work.file("agent.yaml")], logFile: work.file("agent.log"))
func ourRoutes() throws -> Int { try node.exec(["ip", "route", "show", "proto", "207"]).stdout.split(separator: "\n").count }
guard waitUntil(timeout: 120, interval: 0.05, { (try? ourRoutes()) == peerCount }) else {
    throw BenchError("the agent installed \((try? ourRoutes()) ?? 0) of \(peerCount) routes:\n\((try? String(contentsOfFile: work.file("agent.log"), encoding: .utf8)) ?? "")")
}
let coldStart = Date().timeIntervalSince(started)
sleep(5)
let ourMemory = memoryKB(agent.pid)
let ourMappings = memoryByMapping(agent.pid)
let ourThreads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(agent.pid)/task").count) ?? 0
let ourIdleCPU = idleCPUPercent(agent.pid, over: 10)
say("terway-edged idle with \(peerCount) peers: CPU \(String(format: "%.2f", ourIdleCPU)) % of a core over 10 s")
say("terway-edged idle with \(peerCount) peers: RSS \(ourMemory.rss) kB, \(ourThreads) threads; by mapping (kB):")
say("  " + "mapping".padding(toLength: 40, withPad: " ", startingAt: 0) + "     Rss  Private_Dirty  clean")
for mapping in ourMappings.prefix(14) where mapping.rss > 0 {
    say("  " + mapping.name.padding(toLength: 40, withPad: " ", startingAt: 0)
        + String(repeating: " ", count: max(0, 8 - "\(mapping.rss)".count)) + "\(mapping.rss)"
        + String(repeating: " ", count: max(0, 15 - "\(mapping.dirty)".count)) + "\(mapping.dirty)"
        + String(repeating: " ", count: max(0, 7 - "\(mapping.clean)".count)) + "\(mapping.clean)")
}
// `bench-agent memory`: the idle figure only (no BIRD, no lease changes).
// BENCH_AGENT_HOLD=SECONDS keeps the idle agent that long for a look at /proc/PID.
if CommandLine.arguments.dropFirst().first == "memory" {
    if let hold = ProcessInfo.processInfo.environment["BENCH_AGENT_HOLD"].flatMap(UInt32.init) {
        say("holding the idle agent, PID \(agent.pid), for \(hold) s")
        sleep(hold)
    }
    say("agent \(peerCount): RSS \(ourMemory.rss) kB (\(ourMemory.rss / 1024) MB), PSS \(ourMemory.pss) kB; target < 20 MB (20480 kB)")
    agent.terminate()
    await store.close()
    for namespace in namespaces { namespace.delete() }
    try? FileManager.default.removeItem(atPath: work.path)
    exit(0)
}

// --- reference: BIRD 2 with the same 1,000 routes in the kernel.
let (birdNode, birdPeer) = try nodeNamespace("bbird")
namespaces += [birdNode, birdPeer]
try work.write("bird.conf", """
router id 10.100.0.1;
protocol device {}
protocol kernel { ipv4 { export all; }; }
protocol static { ipv4;
\((0..<peerCount).map { "  route \(IPPrefix(network: .v4(IPv4Address(0x0B00_0000 + UInt32($0) << 8)), length: 24)!) via \(address($0));" }.joined(separator: "\n"))
}

""")
let bird = try birdNode.spawn(["bird", "-f", "-c", work.file("bird.conf"), "-s", work.file("bird.ctl")], logFile: work.file("bird.log"))
func birdRoutes() throws -> Int { try birdNode.exec(["ip", "route", "show", "proto", "bird"]).stdout.split(separator: "\n").count }
guard waitUntil(timeout: 60, interval: 0.05, { (try? birdRoutes()) == peerCount }) else {
    throw BenchError("BIRD installed \((try? birdRoutes()) ?? 0) routes: \((try? String(contentsOfFile: work.file("bird.log"), encoding: .utf8)) ?? "")")
}
sleep(5)
let birdMemory = memoryKB(bird.pid)
let birdIdleCPU = idleCPUPercent(bird.pid, over: 10)
bird.terminate()

// --- 1,000 lease changes through the store. The agent logs each one's time from the event's
// arrival in it to the kernel's ACK; a netlink monitor here, in the node namespace, sees the
// change land (the peer's nexthop, or route, through its new address) and gives the time from
// the store write, the store's watch included.
let clock = ContinuousClock()
let landed = Mutex<[IPAddress: ContinuousClock.Instant]>([:])
let watching = Atomic<Bool>(true)
nonisolated(unsafe) let monitor = try NetworkNamespace(path: node.path).openNetlinkMonitor(groups: [.ipv4Route, .nexthop])
let monitorThread = Thread {
    while watching.load(ordering: .relaxed) {
        guard let event = try? monitor.next(timeout: .milliseconds(100)) else { continue }
        let now = clock.now
        var gateway: IPAddress?
        switch event {
        case .nexthop(let nexthop, removed: false): gateway = nexthop.gateway
        case .route(let route, removed: false) where route.protocolID == 207: gateway = route.gateway
        default: break
        }
        if let gateway { landed.withLock { if $0[gateway] == nil { $0[gateway] = now } } }
    }
}
monitorThread.start()
var written: [ContinuousClock.Instant] = []
for i in 0..<peerCount {
    _ = try await store.acquire(LeaseRequest(node: "peer-\(i)", nodeAddress: address(i, moved: true), ttl: .seconds(86400)))
    written.append(clock.now)
    try await Task.sleep(for: .milliseconds(5))
}
struct ChangeTiming { var agent, wall, cpu: Double }
func changeTimings() -> [ChangeTiming] {
    let log = (try? String(contentsOfFile: work.file("agent.log"), encoding: .utf8)) ?? ""
    return log.split(separator: "\n").filter { $0.contains("] peers: peer-") && $0.contains(" routed") }.compactMap { line in
        func field(_ key: String) -> Double? {
            guard let range = line.range(of: " \(key)=") else { return nil }
            return Double(line[range.upperBound...].prefix { $0.isNumber })
        }
        guard let agent = field("agentMicros"), let wall = field("writerMicros"), let cpu = field("writerCPUMicros") else { return nil }
        return ChangeTiming(agent: agent, wall: wall, cpu: cpu)
    }
}
guard waitUntil(timeout: 60, interval: 0.1, { changeTimings().count >= peerCount && landed.withLock { $0.count } >= peerCount }) else {
    throw BenchError("the agent logged \(changeTimings().count) of \(peerCount) lease changes, the monitor saw \(landed.withLock { $0.count })")
}
watching.store(false, ordering: .relaxed)
let endToEnd = (0..<peerCount).map { i in
    let seen = landed.withLock { $0[address(i, moved: true)]! }
    return Double((seen - written[i]).components.attoseconds) / 1e12 + Double((seen - written[i]).components.seconds) * 1e6
}
let ours = changeTimings().suffix(peerCount)
agent.terminate()
await store.close()

// --- reference: RouteSync's writer alone in this process, the same 1,000 changes.
let (bare, bareSide) = try nodeNamespace("bwriter")
namespaces += [bare, bareSide]
let writer = try RouteWriter(config: RouteSyncConfig(resyncInterval: .seconds(3600)), namespace: NetworkNamespace(path: bare.path), log: { _ in })
_ = try await writer.start()
_ = try await writer.setPeers((0..<peerCount).map { PeerNode(name: "peer-\($0)", nodeAddress: address($0), subnets: [IPPrefix(network: .v4(IPv4Address(0x0B00_0000 + UInt32($0) << 8)), length: 24)!]) })
var alone: [Double] = []
for i in 0..<peerCount {
    let timing = try await writer.updatePeer(PeerNode(name: "peer-\(i)", nodeAddress: address(i, moved: true),
                                                      subnets: [IPPrefix(network: .v4(IPv4Address(0x0B00_0000 + UInt32(i) << 8)), length: 24)!]))
    alone.append(Double(timing.wall.components.attoseconds) / 1e12 + Double(timing.wall.components.seconds) * 1e6)
}
writer.stop()

say("agent with \(peerCount) peers: cold start to all routes \(String(format: "%.2f", coldStart)) s")
say("idle memory (smaps_rollup): terway-edged RSS \(ourMemory.rss) kB PSS \(ourMemory.pss) kB; BIRD 2 with the same routes RSS \(birdMemory.rss) kB PSS \(birdMemory.pss) kB; target RSS < 20 MB (20480 kB)")
func row(_ name: String, _ values: [Double]) -> String {
    "\(name.padding(toLength: 62, withPad: " ", startingAt: 0)) p50 \(Int(percentile(values, 0.5))) µs, p99 \(Int(percentile(values, 0.99))) µs"
}
say("idle CPU over 10 s: terway-edged \(String(format: "%.2f", ourIdleCPU)) % of a core, BIRD 2 \(String(format: "%.2f", birdIdleCPU)) %")
say("lease change -> kernel, \(peerCount) changes (target p99 < 1 ms inside the agent):")
say("  " + row("terway-edged: event arrival -> kernel ACK (wall)", ours.map(\.agent)))
say("  " + row("terway-edged: inside the writer (wall)", ours.map(\.wall)))
say("  " + row("terway-edged: inside the writer (thread CPU)", ours.map(\.cpu)))
say("  " + row("store write -> change seen by a netlink monitor (store watch incl.)", endToEnd))
say("  " + row("reference: RouteSync writer alone in-process (wall)", alone))
say("agent \(peerCount): RSS \(ourMemory.rss / 1024) MB (BIRD \(birdMemory.rss / 1024) MB), change p99 \(Int(percentile(ours.map(\.agent), 0.99))) µs in the agent (writer alone \(Int(percentile(alone, 0.99))) µs)")
