import NetworkCore
@testable import RouteSync
import Testing

/// The compact record behind `KernelRouteSync`: what it answers, what it counts, and that
/// next hops and entries go when nothing refers to them (a flapping table stays bounded).
@Suite struct RouteRecordTests {
    private let a = KernelNextHop(gateway: IPAddress("10.9.0.2")!)
    private let b = KernelNextHop(gateway: IPAddress("fe80::2")!, device: 7)

    /// Desired and installed next hops of `prefix`.
    private func hops(_ record: RouteRecord, _ prefix: IPPrefix) -> [KernelNextHop?] {
        let hops = record.nextHops(prefix)
        return [hops.desired, hops.installed]
    }

    private func v4(_ i: Int) -> IPPrefix { IPPrefix(network: .v4(IPv4Address(UInt32(0x0B00_0000) + UInt32(i) << 8)), length: 24)! }

    @Test func bothFamiliesRoundTripThroughThePackedKeys() {
        var record = RouteRecord()
        let prefixes = [IPPrefix("0.0.0.0/0")!, IPPrefix("255.255.255.255/32")!, IPPrefix("10.0.0.0/8")!,
                        IPPrefix("::/0")!, IPPrefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")!, IPPrefix("fd00:1::/64")!,
                        IPPrefix("fd00:1::/65")!]
        for (i, prefix) in prefixes.enumerated() { record.setDesired(prefix, i.isMultiple(of: 2) ? a : b) }
        for (i, prefix) in prefixes.enumerated() { #expect(record.desired(prefix) == (i.isMultiple(of: 2) ? a : b)) }
        // `differing` hands back exactly the prefixes put in, both families, lengths kept apart.
        #expect(Set(record.differing) == Set(prefixes))
        #expect(hops(record, IPPrefix("fd00:1::/66")!) == [nil, nil])
    }

    @Test func countsFollowTheStateAndAnEmptyEntryGoes() {
        var record = RouteRecord()
        record.setDesired(v4(1), a)
        record.setFailed(v4(1), true)
        #expect(record.installedCount == 0 && record.failedCount == 1)
        record.setInstalled(v4(1), a, clearingFailure: true)
        #expect(record.installedCount == 1 && record.failedCount == 0 && record.differing.isEmpty)

        // A refused removal: installed, not desired, failed; retried once, then acknowledged.
        record.setDesired(v4(1), nil)
        record.setFailed(v4(1), true)
        #expect(record.takeFailed() == [v4(1)] && record.failedCount == 0)
        record.setInstalled(v4(1), nil)
        #expect(record.installedCount == 0 && record.differing.isEmpty && record.nextHopCount == 0)
        // No entry is left to carry a flag: a failure of a prefix with no next hop is nothing to retry.
        record.setFailed(v4(1), true)
        #expect(record.failedCount == 0)
    }

    @Test func adoptionKeepsWhatIsInstalledUntilTakenOrChanged() {
        var record = RouteRecord()
        for i in 0..<3 { record.setInstalled(v4(i), a) }
        record.setDesired(v4(0), b)
        record.adoptInstalled()
        #expect(record.adoptedCount == 2 && record.desired(v4(1)) == a)
        record.setDesired(v4(1), a)   // learned again: no longer adopted
        #expect(record.takeAdopted() == [v4(2)])
        #expect(record.adoptedCount == 0 && record.desired(v4(2)) == nil && record.installedCount == 3)
    }

    @Test func clearingOneFamilyLeavesTheOther() {
        var record = RouteRecord()
        record.setDesired(v4(1), a)
        record.setInstalled(v4(1), a)
        record.setInstalled(v4(2), a)   // ours in the kernel, no longer desired
        record.setDesired(IPPrefix("fd00:1::/64")!, b)
        record.setInstalled(IPPrefix("fd00:1::/64")!, b)
        record.clearInstalled(family: .v4)
        #expect(record.installedCount == 1)
        #expect(hops(record, v4(1)) == [a, nil] && hops(record, v4(2)) == [nil, nil])
        #expect(hops(record, IPPrefix("fd00:1::/64")!) == [b, b])
        #expect(Set(record.differing) == [v4(1)])
    }

    /// Every route moving through ten thousand next hops in turn: the pool holds only those
    /// still referred to, and freed numbers are reused.
    @Test func nextHopChurnStaysBounded() {
        var record = RouteRecord()
        for round in 0..<10_000 {
            let nextHop = KernelNextHop(gateway: .v4(IPv4Address(UInt32(0x0A09_0000) + UInt32(round))))
            for i in 0..<4 {
                record.setDesired(v4(i), nextHop)
                record.setInstalled(v4(i), nextHop)
            }
            #expect(record.nextHopCount == 1)
        }
        for i in 0..<4 { record.setDesired(v4(i), nil) }
        #expect(record.nextHopCount == 1 && record.installedCount == 4)
        for i in 0..<4 { record.setInstalled(v4(i), nil) }
        #expect(record.nextHopCount == 0 && record.installedCount == 0)
    }
}
