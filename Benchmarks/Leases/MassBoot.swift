import Foundation
import NetworkCore
import SubnetStore
import Synchronization

// The 5,000-node section (issue 16): on one 3-member etcd, 5,000 sequential acquisitions
// by one client (the reference, as wave 1 measured it: 12.98 s), then 5,000 agents, each
// its own client, 200 at a time, then the time for one new lease to reach 100 watchers
// while all 5,000 are held, with the watchers' CPU per event.

/// What wave 1 printed for 5,000 sequential acquisitions on a 3-member etcd.
let waveOneSequentialSeconds = 12.98

/// Acquires `count` leases, each by an agent with its own store client, `concurrency` at a time.
func massBoot(url: String, count: Int, concurrency: Int, prefix: String) async throws -> (seconds: Double, latencies: [Duration]) {
    let clock = ContinuousClock()
    let started = clock.now
    var latencies: [Duration] = []
    try await withThrowingTaskGroup(of: Duration.self) { group in
        func agent(_ index: Int) {
            group.addTask {
                let store = try await LeaseStoreFactory.open(url: url, options: LeaseStoreOptions(pools: pools))
                let start = clock.now
                _ = try await store.acquire(LeaseRequest(node: "\(prefix)\(index)", nodeAddress: IPAddress("192.168.0.1")!))
                let took = clock.now - start
                await store.close()
                return took
            }
        }
        var next = 0
        while next < min(concurrency, count) { agent(next); next += 1 }
        while let took = try await group.next() {
            latencies.append(took)
            if next < count { agent(next); next += 1 }
        }
    }
    return ((clock.now - started).timeInterval, latencies.sorted())
}

/// Counts, per node, how many watchers have seen its lease added.
final class Sightings: Sendable {
    private let seen = Mutex<[String: Int]>([:])
    private let snapshots = Mutex(0)

    func added(_ node: String) { seen.withLock { $0[node, default: 0] += 1 } }
    func count(_ node: String) -> Int { seen.withLock { $0[node] ?? 0 } }
    func snapshotEvent() { snapshots.withLock { $0 += 1 } }
    var snapshotEvents: Int { snapshots.withLock { $0 } }
}

/// With the leases under `url` held, opens `watchers` watches (each its own client), then
/// acquires `rounds` new leases one by one; returns the time each took to reach every
/// watcher and the process CPU per watcher-event meanwhile (the writer's share included).
func fanOut(url: String, held: Int, watchers: Int, rounds: Int) async throws -> (latencies: [Duration], cpuPerEvent: Duration) {
    let sightings = Sightings()
    var stores: [any LeaseStore] = []
    var tasks: [Task<Void, Never>] = []
    for _ in 0..<watchers {
        let store = try await LeaseStoreFactory.open(url: url, options: LeaseStoreOptions())
        stores.append(store)
        let stream = try await store.watch()
        tasks.append(Task {
            var snapshot = 0
            do {
                for try await event in stream {
                    guard case .added(let lease) = event else { continue }
                    if snapshot < held { snapshot += 1; sightings.snapshotEvent() } else { sightings.added(lease.node) }
                }
            } catch {
                FileHandle.standardError.write(Data("bench-leases: a watcher failed: \(error)\n".utf8))
            }
        })
    }
    while sightings.snapshotEvents < held * watchers { try await Task.sleep(for: .milliseconds(20)) }
    let writer = try await LeaseStoreFactory.open(url: url, options: LeaseStoreOptions(pools: pools))
    let clock = ContinuousClock()
    var latencies: [Duration] = []
    let cpuBefore = processCPU()
    for round in 0..<rounds {
        let node = "fan-out-\(round)"
        let start = clock.now
        _ = try await writer.acquire(LeaseRequest(node: node, nodeAddress: IPAddress("192.168.0.2")!))
        while sightings.count(node) < watchers { try await Task.sleep(for: .microseconds(200)) }
        latencies.append(clock.now - start)
    }
    let cpu = processCPU() - cpuBefore
    tasks.forEach { $0.cancel() }
    await writer.close()
    for store in stores { await store.close() }
    return (latencies.sorted(), cpu / (watchers * rounds))
}

/// User plus system CPU of this process so far.
func processCPU() -> Duration {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func duration(_ time: timeval) -> Duration { .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec)) }
    return duration(usage.ru_utime) + duration(usage.ru_stime)
}

/// Runs the section on a fresh 3-member etcd and prints it.
func runMassBootSection(count: Int) async throws {
    print("\n\(count) leases on a 3-member etcd (\(pools[0]), hashed start)")
    guard case .success(let base) = etcdBenchCluster.start() else {
        print("skipped: etcd did not start")
        return
    }
    defer { etcdBenchCluster.stop() }
    var arguments = try Arguments([])
    arguments.count = count
    let sequentialStart = ContinuousClock.now
    _ = try await measure(url: base + "-sequential", arguments: arguments)
    let sequential = (ContinuousClock.now - sequentialStart).timeInterval
    let (boot, latencies) = try await massBoot(url: base + "-boot", count: count, concurrency: 200, prefix: "agent-")
    let (fan, cpu) = try await fanOut(url: base + "-boot", held: count, watchers: 100, rounds: 20)
    func row(_ label: String, _ value: String, _ reference: String) {
        print(label.padding(toLength: 50, withPad: " ", startingAt: 0), value.padding(toLength: 26, withPad: " ", startingAt: 0), reference)
    }
    row("", "TerwayEdge", "reference")
    row("\(count) sequential acquisitions, one client", String(format: "%.2f s", sequential),
        String(format: "wave 1: %.2f s", waveOneSequentialSeconds))
    row("\(count) agents, 200 at a time", String(format: "%.2f s (%.0f/s)", boot, Double(count) / boot),
        String(format: "sequential, this run: %.2f s", sequential))
    row("  per agent p50 / p99", "\(milliseconds(latencies[latencies.count / 2])) / \(milliseconds(latencies[latencies.count * 99 / 100])) ms", "")
    row("one new lease to 100 watchers, p50 / max of 20", "\(milliseconds(fan[fan.count / 2])) / \(milliseconds(fan.last!)) ms", "")
    row("  watcher CPU per event (writer included)", String(format: "%.1f µs", cpu.timeInterval * 1e6), "")
}
