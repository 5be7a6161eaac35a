@testable import BGP
import BGPCore
import Foundation
import NetworkCore
import Synchronization
import Testing
import TestSupport

/// The learned-route stream to the kernel is bounded: while its consumer is busy, changes
/// of one prefix replace each other instead of piling up.
@Suite struct SpeakerLearnedRoutesTests {
    @Test func aFlappingPrefixWaitsAsOneChangeWhileTheConsumerIsBusy() async throws {
        let fixture = try SpeakerFixture(count: 2)
        let a = BGPSpeaker(config: fixture.config(0, peers: [1]))
        let b = BGPSpeaker(config: fixture.config(1, peers: [0], originate: ["10.2.1.0/24"]))
        let stream = a.learnedRouteChanges()
        try await a.start()
        try await b.start()
        defer { Task { await a.shutdown(); await b.shutdown() } }
        try await eventually("A learns B's prefix") { try await a.routePrefixes() == ["10.2.1.0/24"] }

        // Nobody reads the stream while B flaps a prefix 200 times.
        let flapping = IPPrefix("10.2.0.0/24")!
        for _ in 0..<200 {
            try await b.originate(OriginateConfig(prefix: flapping))
            try await b.withdraw(flapping)
        }
        try await b.originate(OriginateConfig(prefix: flapping))
        try await eventually("A has the flapped prefix") { try await a.routePrefixes().contains("10.2.0.0/24") }
        try await Task.sleep(for: .milliseconds(300))

        var iterator = stream.makeAsyncIterator()
        let pending = try #require(await iterator.next())
        #expect(pending.count == 2, "\(pending.count) changes pending for 2 prefixes")
        #expect(pending.last?.prefix == flapping && pending.last?.nextHop != nil)
    }

    /// The consumer gets at most `batchLimit` changes at a time, oldest first, each prefix's
    /// latest; a change of a prefix still pending replaces it in place, across compactions.
    @Test func batchesAreBoundedAndKeepTheLatestChangePerPrefix() async throws {
        let buffer = LearnedRouteBuffer(batchLimit: 4)
        func change(_ n: Int, via last: UInt8?) -> LearnedRouteChange {
            LearnedRouteChange(prefix: IPPrefix("10.0.\(n).0/24")!,
                               nextHop: last.map { LearnedNextHop(gateway: .v4(IPv4Address(192, 0, 2, $0))) })
        }
        buffer.add((0..<10).map { change($0, via: 1) })
        let first = try #require(await buffer.next())
        #expect(first == (0..<4).map { change($0, via: 1) })
        // 5 is pending: replaced in place; 1 was taken: queued again at the end.
        buffer.add([change(5, via: 2), change(1, via: nil)])
        let second = try #require(await buffer.next())
        #expect(second == [change(4, via: 1), change(5, via: 2), change(6, via: 1), change(7, via: 1)])
        buffer.add([change(9, via: 3)])
        let third = try #require(await buffer.next())
        #expect(third == [change(8, via: 1), change(9, via: 3), change(1, via: nil)])
        buffer.finish()
        #expect(await buffer.next() == nil)
    }

    /// A graceful restart's sweep waits on `applied()`: it returns only once the consumer
    /// asked for more after taking every change added before the call, never while a taken
    /// batch may still be on its way into the kernel.
    @Test func appliedWaitsUntilTheConsumerIsDoneWithEarlierChanges() async throws {
        let buffer = LearnedRouteBuffer(batchLimit: 2)
        let changes = (0..<3).map { LearnedRouteChange(prefix: IPPrefix("10.0.\($0).0/24")!, nextHop: nil) }
        await buffer.applied()  // nothing added: at once
        buffer.add(changes)
        let returned = Mutex(false)
        let waiter = Task {
            await buffer.applied()
            returned.withLock { $0 = true }
        }
        #expect(try #require(await buffer.next()).count == 2)
        try await Task.sleep(for: .milliseconds(100))
        #expect(!returned.withLock { $0 }, "returned while the first batch was being applied")
        #expect(try #require(await buffer.next()).count == 1)
        try await Task.sleep(for: .milliseconds(100))
        #expect(!returned.withLock { $0 }, "returned while the last batch was being applied")
        buffer.add([LearnedRouteChange(prefix: IPPrefix("10.0.9.0/24")!, nextHop: nil)])
        _ = await buffer.next()  // done with the last batch: the waiter goes, whatever came later
        await waiter.value
        #expect(returned.withLock { $0 })
        // Finishing lets every waiter go.
        buffer.add(changes)
        let late = Task { await buffer.applied() }
        buffer.finish()
        await late.value
    }
}
