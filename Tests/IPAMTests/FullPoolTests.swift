import Foundation
import IPAM
import NetworkCore
import TestSupport
import Testing

/// Issue 15 item 2: a full pool answers at once, whatever the round-robin start and the
/// exclusions, on every store. The walk runs on its own thread so that a walk that never
/// ends fails the test instead of hanging it.
@Suite struct FullPoolTests {
    /// Hands the walk to its thread; the test reads the outcome only after the thread signals.
    final class Work: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a thread and waits at most `seconds` for it.
    static func finishes(within seconds: Double, _ body: @escaping () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let work = Work(body)
        Thread.detachNewThread {
            work.body()
            done.signal()
        }
        return done.wait(timeout: .now() + seconds) == .success
    }

    /// A /29 filled (.2-.6) with the last reservation at .4; then the config gains an
    /// exclusion of .4-.5, so the round-robin start (.5) lies inside the excluded block, not
    /// on its first address.
    @Test(arguments: NodeAllocatorTests.StoreKind.allCases)
    func fullPoolWithTheStartInsideAnExclusionAnswersAtOnce(kind: NodeAllocatorTests.StoreKind) throws {
        let dir = try TemporaryDirectory()
        let store = try NodeAllocatorTests.store(kind, in: dir)
        let before = try NodeAllocator(pools: [NodeAllocatorTests.pool("10.0.3.0/29")], store: store)
        for n in 0..<5 { _ = try before.allocate(for: NodeAllocatorTests.owner(n)) }
        try before.release(NodeAllocatorTests.owner(2)) // frees .4
        #expect(try before.allocate(for: NodeAllocatorTests.owner(5)).map(\.description) == ["10.0.3.4/29"])
        #expect(try store.lastReserved(.v4) == IPAddress("10.0.3.4"))

        let after = try NodeAllocator(pools: [NodeAllocatorTests.pool("10.0.3.0/29", exclusions: ["10.0.3.4/31"])], store: store)
        nonisolated(unsafe) var allocation: Result<[InterfaceAddress], any Error>?
        nonisolated(unsafe) var free: Bool?
        let ended = Self.finishes(within: 10) {
            allocation = Result { try after.allocate(for: NodeAllocatorTests.owner(9)) }
            free = try? after.hasFreeAddresses()
        }
        #expect(ended, "the walk of a full pool did not end")
        guard ended else { return }
        #expect(throws: IPAMError.exhausted(subnet: IPPrefix("10.0.3.0/29")!, usable: 3)) { try allocation!.get() }
        #expect(free == false)
    }

    /// Every start position and exclusion layout of a small pool, full and with one address free.
    @Test func everyStartAndExclusionLayoutEnds() throws {
        let subnet = "10.0.3.0/28"
        for exclusion in ["10.0.3.4/30", "10.0.3.2/31", "10.0.3.12/30", "10.0.3.8/29"] {
            for last in 1..<15 {
                let store = MemoryIPAMStore()
                let pool = try NodeAllocatorTests.pool(subnet, exclusions: [exclusion])
                let allocator = try NodeAllocator(pools: [pool], store: store)
                let usable = (1..<15).map { IPAddress("10.0.3.\($0)")! }.filter(pool.isUsable)
                for (n, address) in usable.enumerated() { store.records[address] = NodeAllocatorTests.owner(n) }
                store.last[.v4] = IPAddress("10.0.3.\(last)")
                nonisolated(unsafe) var outcome: Bool?
                let ended = Self.finishes(within: 5) { outcome = try? allocator.hasFreeAddresses() }
                #expect(ended && outcome == false, "\(exclusion), last .\(last)")
                guard ended else { return }
                store.records[usable[usable.count / 2]] = nil
                let got = try allocator.allocate(for: NodeAllocatorTests.owner(99))
                #expect(got.map(\.address) == [usable[usable.count / 2]], "\(exclusion), last .\(last)")
            }
        }
    }
}
