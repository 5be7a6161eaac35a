import Foundation
import Netlink
import NetworkCore
import RouteSync
import TestSupport

// Peer host routes at 10,000 and 20,000 peers, from a cold start to every route installed:
// RouteWriter (one nexthop object per peer, routes by RTA_NH_ID) beside `ip -batch` of
// classic gateway routes (flannel's host-gw) in a fresh namespace of the same shape, in the
// same run. Then 1,000 lease changes at 20,000 peers, each timed inside the writer from
// taking the change to the kernel's ACK. Peers sit on one directly connected /16 (a veth
// whose far end is in another te- namespace).

/// A node namespace with `v0` 10.100.0.1/16 toward a peer namespace.
func nodeNamespace(_ label: String) throws -> (TestNamespace, TestNamespace) {
    let node = try TestNamespace(label)
    let peer = try TestNamespace("\(label)p")
    try node.link(to: peer, localName: "v0", remoteName: "v1", localAddresses: ["10.100.0.1/16"], remoteAddresses: ["10.100.0.2/16"])
    return (node, peer)
}

func peers(_ count: Int) -> [PeerNode] {
    (0..<count).map { i in
        PeerNode(name: "edge-\(i)", nodeAddress: .v4(IPv4Address(0x0A64_0000 + 3 + UInt32(i))),
                 subnets: [IPPrefix(network: .v4(IPv4Address(0x0B00_0000 + UInt32(i) << 8)), length: 24)!])
    }
}

func routeCount(_ ns: TestNamespace, proto: String) throws -> Int {
    try ns.exec(["ip", "route", "show", "proto", proto]).stdout.split(separator: "\n").count
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func ours(_ count: Int) async throws -> (Double, RouteWriter, TestNamespace, TestNamespace) {
    let (node, peer) = try nodeNamespace("bro\(count / 1000)")
    let list = peers(count)
    let clock = ContinuousClock()
    let start = clock.now
    let writer = try RouteWriter(config: RouteSyncConfig(resyncInterval: .seconds(3600)),
                                 namespace: NetworkNamespace(path: node.path), log: { say("  writer: \($0)") })
    try await writer.start()
    let started = clock.now
    let report = try await writer.setPeers(list)
    let elapsed = clock.now - start
    say("  \(count) peers: writer up and kernel read in \(format(seconds(started - start))) s, peers programmed in \(format(seconds(clock.now - started))) s")
    let inKernel = try routeCount(node, proto: "207")
    guard report.installed.count == count, inKernel == count else {
        throw BenchError("ours at \(count): \(report.installed.count) reported, \(inKernel) in the kernel; problems \(report.problems.prefix(3))")
    }
    return (seconds(elapsed), writer, node, peer)
}

func classic(_ count: Int) throws -> Double {
    let (node, peer) = try nodeNamespace("brc\(count / 1000)")
    defer { node.delete(); peer.delete() }
    let file = NSTemporaryDirectory() + "te-routes-classic-\(count).batch"
    let lines = peers(count).map { "route add \($0.subnets[0]) via \($0.nodeAddresses[0]) dev v0 proto static" }
    try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let clock = ContinuousClock()
    let start = clock.now
    try run(["ip", "-n", node.name, "-batch", file])
    let elapsed = clock.now - start
    let inKernel = try routeCount(node, proto: "static")
    guard inKernel == count else { throw BenchError("classic at \(count): \(inKernel) routes in the kernel") }
    return seconds(elapsed)
}

/// 1,000 lease changes at `count` peers: a peer's subnet moving (its old route out, the new
/// one in), a peer leaving (route and nexthop out) and one joining (nexthop and route in),
/// in turn. Each is timed inside the writer, by kind.
func leaseChanges(_ writer: RouteWriter, peers list: [PeerNode]) async throws -> [String: [WriterTiming]] {
    var timings: [String: [WriterTiming]] = [:]
    var j = 0
    while timings.values.reduce(0, { $0 + $1.count }) < 1000 {
        var peer = list[(j * 7919) % list.count]
        switch j % 3 {
        case 0:
            peer.subnets = [IPPrefix(network: .v4(IPv4Address(0x0C00_0000 + UInt32(j) << 8)), length: 24)!]
            timings["subnet moves", default: []].append(try await writer.updatePeer(peer))
        case 1:
            timings["peer leaves", default: []].append(try await writer.removePeer(named: peer.name))
        default:
            let left = list[((j - 1) * 7919) % list.count]
            timings["peer joins", default: []].append(try await writer.updatePeer(left))
        }
        j += 1
    }
    return timings
}

func percentile(_ values: [Duration], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    return seconds(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]) * 1000
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Unbuffered, so progress shows while the benchmark runs.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func format(_ value: Double) -> String { String(format: "%.3f", value) }

say("bench-routes: peer host routes, cold start to all installed (same run, same kernel)")
var results: [(Int, Double, Double)] = []
var changeTimes: [String: [WriterTiming]] = [:]
for count in [10_000, 20_000] {
    let (mine, writer, node, peer) = try await ours(count)
    if count == 20_000 {
        changeTimes = try await leaseChanges(writer, peers: peers(count))
        // The kernel must hold exactly what the report expects after the churn.
        let report = try await writer.peerReport()
        let inKernel = try routeCount(node, proto: "207")
        guard report.missing.isEmpty, inKernel == report.expected.count else {
            throw BenchError("after the lease changes: \(report.missing.count) missing, \(inKernel) in the kernel, \(report.expected.count) expected")
        }
    }
    writer.stop()
    node.delete()
    peer.delete()
    let theirs = try classic(count)
    results.append((count, mine, theirs))
    say("  \(count) peers: ours \(format(mine)) s, classic \(format(theirs)) s")
}
say("")
say("peers   ours (nexthop objects)  classic (ip -batch, via)  ratio   target")
for (count, mine, theirs) in results {
    let target = count == 10_000 ? "<= 0.25" : "<= 0.10"
    say("\(String(count).padding(toLength: 8, withPad: " ", startingAt: 0))\(format(mine).padding(toLength: 24, withPad: " ", startingAt: 0))\(format(theirs).padding(toLength: 26, withPad: " ", startingAt: 0))\(format(mine / theirs).padding(toLength: 8, withPad: " ", startingAt: 0))\(target)")
}
let all = changeTimes.values.flatMap { $0 }
say("lease change -> kernel ACK inside the writer, \(all.count) changes at 20000 peers (ms; target p99 < 1 ms):")
say("kind           count  wall p50  wall p99  cpu p50  cpu p99")
for (kind, timings) in changeTimes.sorted(by: { $0.key < $1.key }) + [("all", all)] {
    let row = [kind.padding(toLength: 15, withPad: " ", startingAt: 0), String(timings.count).padding(toLength: 7, withPad: " ", startingAt: 0)]
        + [percentile(timings.map(\.wall), 0.5), percentile(timings.map(\.wall), 0.99), percentile(timings.map(\.cpu), 0.5), percentile(timings.map(\.cpu), 0.99)]
            .map { format($0).padding(toLength: 10, withPad: " ", startingAt: 0) }
    say(row.joined())
}
let last = results.last!
say("routes \(last.0): ours \(format(last.1)) s, classic \(format(last.2)) s, ratio \(format(last.1 / last.2))")
