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
                                 namespace: NetworkNamespace(path: node.path), log: { print("  writer: \($0)") })
    try await writer.start()
    let report = try await writer.setPeers(list)
    let elapsed = clock.now - start
    let inKernel = try routeCount(node, proto: "207")
    guard report.installed.count == count, inKernel == count else {
        throw BenchError("ours at \(count): \(report.installed.count) reported, \(inKernel) in the kernel; problems \(report.problems.prefix(3))")
    }
    return (seconds(elapsed), writer, node, peer)
}

func classic(_ count: Int) throws -> Double {
    let (node, _) = try nodeNamespace("brc\(count / 1000)")
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

/// 1,000 lease changes at `count` peers: half move a peer's subnet, half a peer leaving and
/// coming back (nexthop and route removed, then added). Times inside the writer.
func leaseChanges(_ writer: RouteWriter, peers list: [PeerNode]) async throws -> [Duration] {
    var durations: [Duration] = []
    for j in 0..<1000 {
        var peer = list[(j * 7919) % list.count]
        if j % 2 == 0 {
            peer.subnets = [IPPrefix(network: .v4(IPv4Address(0x0C00_0000 + UInt32(j) << 8)), length: 24)!]
            durations.append(try await writer.updatePeer(peer))
        } else {
            durations.append(try await writer.removePeer(named: peer.name))
            durations.append(try await writer.updatePeer(peer))
        }
    }
    return durations
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func format(_ value: Double) -> String { String(format: "%.3f", value) }

print("bench-routes: peer host routes, cold start to all installed (same run, same kernel)")
var results: [(Int, Double, Double)] = []
var changeTimes: [Duration] = []
for count in [10_000, 20_000] {
    let (mine, writer, node, peer) = try await ours(count)
    if count == 20_000 { changeTimes = try await leaseChanges(writer, peers: peers(count)) }
    writer.stop()
    node.delete()
    peer.delete()
    let theirs = try classic(count)
    results.append((count, mine, theirs))
    print("  \(count) peers: ours \(format(mine)) s, classic \(format(theirs)) s")
}
print("")
print("peers   ours (nexthop objects)  classic (ip -batch, via)  ratio   target")
for (count, mine, theirs) in results {
    let target = count == 10_000 ? "<= 0.25" : "<= 0.10"
    print("\(String(count).padding(toLength: 8, withPad: " ", startingAt: 0))\(format(mine).padding(toLength: 24, withPad: " ", startingAt: 0))\(format(theirs).padding(toLength: 26, withPad: " ", startingAt: 0))\(format(mine / theirs).padding(toLength: 8, withPad: " ", startingAt: 0))\(target)")
}
let sorted = changeTimes.sorted()
let p50 = sorted[sorted.count / 2], p99 = sorted[Int(Double(sorted.count) * 0.99)]
print("lease change -> kernel ACK inside the writer, \(sorted.count) changes at 20000 peers: p50 \(format(seconds(p50) * 1000)) ms, p99 \(format(seconds(p99) * 1000)) ms, max \(format(seconds(sorted.last!) * 1000)) ms (target p99 < 1 ms)")
let last = results.last!
print("routes \(last.0): ours \(format(last.1)) s, classic \(format(last.2)) s, ratio \(format(last.1 / last.2))")
