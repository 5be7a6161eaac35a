import CNIProtocol
import Foundation
import POSIX
import TestSupport

// terway-edged role cloud against the emulator with its real datapath (TestSupport's
// CloudLab), measured in one run:
// 1. warm pool: 10,000 allocations through the address socket, each released before the
//    next, timed at the client; beside the same socket framing with no pool work (the
//    control socket answering an unknown command), the floor of any answer.
// 2. cold pool, attach delay 2 s: 100 pods asking at once; the time each waits for its
//    address, and the API calls the pool made, beside what Terway's fixed batches of ten
//    would make for the same 100 addresses.

func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func micros(_ body: () throws -> Void) rethrows -> Double {
    let started = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - started
    return Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
}

let rounds = 10_000

// 1. Warm pool.
let warm = try await CloudLab()
do {
    defer { warm.stop() }
    try await warm.startAgent(warm.config(pool: "{ minIdle: 20, maxIdle: 40, idleReclaimAfter: 600 }"))
    let (ours, floor) = try await offPool { () throws -> ([Double], [Double]) in
        _ = waitUntil(timeout: 30) { ((try? warm.status().cloud.idle) ?? 0) >= 20 }
        var ours: [Double] = [], floor: [Double] = []
        for index in 0..<rounds {
            var answer: PodAddressAnswer?
            ours.append(try micros { answer = try warm.allocate("bench-\(index)") })
            guard case .granted = answer else { throw BenchError(description: "allocation \(index): \(String(describing: answer))") }
            try warm.release("bench-\(index)")
            floor.append(try micros { _ = try UnixStreamSocket.exchange(path: warm.controlSocket, request: Array(#"{"command":"none"}"#.utf8), limit: 1 << 20) })
        }
        return (ours, floor)
    }
    say("cloud warm pool, \(rounds) allocations through the socket: p50 \(Int(percentile(ours, 0.5))) µs p99 \(Int(percentile(ours, 0.99))) µs"
        + " (target p99 < 1000 µs); socket floor (control socket, no pool work) p50 \(Int(percentile(floor, 0.5))) µs p99 \(Int(percentile(floor, 0.99))) µs")
}

// 2. Cold pool, attach 2 s.
let cold = try await CloudLab(delays: "{ attach: 2, detach: 0.5, metadata: 0.1 }")
do {
    defer { cold.stop() }
    try await cold.startAgent(cold.config(pool: "{ minIdle: 0, maxIdle: 10, idleReclaimAfter: 600 }"))
    let before = try cold.status().cloud.apiCalls
    let pods = 100
    let waits = try await offPool { () throws -> [Double] in
        let results = Mutexed([Double]())
        let failures = Mutexed([String]())
        let group = DispatchGroup()
        for index in 0..<pods {
            group.enter()
            Thread {
                defer { group.leave() }
                var answer: PodAddressAnswer?
                let waited = (try? micros { answer = try cold.allocate("cold-\(index)") }) ?? 0
                if case .granted = answer { results.mutate { $0.append(waited / 1e6) } } else { failures.mutate { $0.append("\(String(describing: answer))") } }
            }.start()
        }
        group.wait()
        guard failures.value.isEmpty else { throw BenchError(description: "cold pool: \(failures.value.count) failed: \(failures.value.first!)") }
        return results.value
    }
    let after = try cold.status().cloud
    func delta(_ action: String) -> Int { (after.apiCalls[action] ?? 0) - (before[action] ?? 0) }
    let mutating = ["CreateNetworkInterface", "AttachNetworkInterface", "AssignPrivateIpAddresses"]
    let ours = mutating.reduce(0) { $0 + delta($1) }
    // Terway: ENIs of 19 pod addresses created empty and attached, then ten addresses per AssignPrivateIpAddresses.
    let enis = after.enis.count
    let terway = 2 * enis + (pods + 9) / 10
    say(String(format: "cloud cold pool (attach 2 s), %d pods at once: address after p50 %.2f s p99 %.2f s", pods, percentile(waits, 0.5), percentile(waits, 0.99)))
    say("cloud cold pool API calls per \(pods) pods: ours \(ours) mutating (\(mutating.map { "\($0) \(delta($0))" }.joined(separator: ", "))),"
        + " DescribeNetworkInterfaces \(delta("DescribeNetworkInterfaces")); Terway's fixed batches of ten: \(terway) mutating (\(enis) ENIs created and attached, \((pods + 9) / 10) assigns)")
}

/// A value shared by the pod threads.
final class Mutexed<T>: @unchecked Sendable {
    private var stored: T
    private let lock = NSLock()
    init(_ value: T) { stored = value }
    var value: T { lock.withLock { stored } }
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
}
