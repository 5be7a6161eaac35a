import Foundation
import NetworkCore
import SubnetStore

// bench-leases: how fast a store hands out leases to distinct nodes.
//
//   bench-leases [--count 5000] [--store URL] [--progress] [--node-prefix bench-] [--renewals 0]
//
// Without --store every row of `rows` runs against a fresh backend; adding a store is one
// line there. --progress prints "node subnet" per lease as soon as it is acquired (the crash
// test kills this process mid-run and checks that every printed lease survived).
// --renewals N renews each lease N times after acquiring it: the embedded store's log then
// outgrows its leases and gets compacted, so a kill can also land in a compaction.
// Without --store, the table is followed by the 5,000-node section (MassBoot.swift).

/// One store to measure: a name and the URL of a fresh, empty backend (nil: skipped, with why).
struct Row {
    let name: String
    let url: (_ scratch: String) -> Result<String, SkipReason>
    /// Stops what `url` started (a server), after the row.
    var finish: () -> Void = {}
}

struct SkipReason: Error { let text: String }

let rows: [Row] = [
    Row(name: "embedded file") { scratch in .success("file://\(scratch)/leases.db") },
    Row(name: "etcd 3 members", url: { _ in etcdBenchCluster.start() }, finish: { etcdBenchCluster.stop() }),
]

/// 10.0.0.0/13 in /26s: 8,192 node subnets of 64 addresses, room for the 5,000 nodes.
let pools = [try! NodeSubnetAllocator(clusterCIDR: IPPrefix("10.0.0.0/13")!, subnetLength: 26)]

struct Arguments {
    var count = 5000
    var store: String?
    var progress = false
    var nodePrefix = "bench-"
    var renewals = 0

    init(_ argv: [String]) throws {
        var rest = argv[...]
        while let flag = rest.popFirst() {
            switch flag {
            case "--count": count = try Int(value(flag, &rest)).orThrow("--count needs a number")
            case "--store": store = try value(flag, &rest)
            case "--node-prefix": nodePrefix = try value(flag, &rest)
            case "--renewals": renewals = try Int(value(flag, &rest)).orThrow("--renewals needs a number")
            case "--progress": progress = true
            default: throw SkipReason(text: "unknown argument \(flag); usage: bench-leases [--count N] [--store URL] [--progress] [--node-prefix P] [--renewals N]")
            }
        }
    }

    private func value(_ flag: String, _ rest: inout ArraySlice<String>) throws -> String {
        try rest.popFirst().orThrow("\(flag) needs a value")
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw SkipReason(text: message) }
        return self
    }
}

/// Acquires `count` leases for distinct nodes; returns the per-acquire latencies.
func measure(url: String, arguments: Arguments) async throws -> [Duration] {
    let store = try await LeaseStoreFactory.open(url: url, options: LeaseStoreOptions(pools: pools))
    let clock = ContinuousClock()
    var latencies: [Duration] = []
    latencies.reserveCapacity(arguments.count)
    for index in 0..<arguments.count {
        let request = LeaseRequest(node: "\(arguments.nodePrefix)\(index)", nodeAddress: IPAddress("192.168.0.1")!)
        let start = clock.now
        let lease = try await store.acquire(request)
        latencies.append(clock.now - start)
        for _ in 0..<arguments.renewals { _ = try await store.renew(node: lease.node, ttl: request.ttl) }
        if arguments.progress {
            // Unbuffered, so a line printed is a line a killed process leaves behind.
            FileHandle.standardOutput.write(Data("\(lease.node) \(lease.subnets.map(\.description).joined(separator: ","))\n".utf8))
        }
    }
    await store.close()
    return latencies
}

func milliseconds(_ duration: Duration) -> String {
    String(format: "%.2f", duration.timeInterval * 1000)
}

do {
    let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
    if let url = arguments.store {
        let latencies = try await measure(url: url, arguments: arguments)
        let total = latencies.reduce(.zero, +)
        FileHandle.standardError.write(Data("\(latencies.count) leases in \(milliseconds(total)) ms\n".utf8))
        exit(0)
    }
    print("acquiring \(arguments.count) leases for distinct nodes from \(pools[0])")
    print("store".padding(toLength: 16, withPad: " ", startingAt: 0), "leases   seconds   leases/s   p50 ms   p99 ms   max ms")
    for row in rows {
        let scratch = NSTemporaryDirectory() + "te-bench-leases-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        defer { row.finish() }
        let name = row.name.padding(toLength: 16, withPad: " ", startingAt: 0)
        switch row.url(scratch) {
        case .failure(let reason):
            print(name, "skipped: \(reason.text)")
        case .success(let url):
            let started = ContinuousClock.now
            let latencies = try await measure(url: url, arguments: arguments).sorted()
            let seconds = (ContinuousClock.now - started).timeInterval
            let cells = ["\(latencies.count)", String(format: "%.2f", seconds), String(format: "%.0f", Double(latencies.count) / seconds),
                         milliseconds(latencies[latencies.count / 2]), milliseconds(latencies[latencies.count * 99 / 100]),
                         milliseconds(latencies.last!)]
            print(name, zip(cells, [6, 9, 10, 8, 8, 8]).map { String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined(separator: " "))
        }
    }
    try await runMassBootSection(count: arguments.count)
} catch let error as SkipReason {
    FileHandle.standardError.write(Data("bench-leases: \(error.text)\n".utf8))
    exit(2)
} catch {
    etcdBenchCluster.stop()
    FileHandle.standardError.write(Data("bench-leases: \(error)\n".utf8))
    exit(1)
}
