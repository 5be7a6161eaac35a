import Foundation
import Netlink
import NetworkCore
import RouteSync
import Testing
import TestSupport

/// Issue 17 items 2 and 10: the record follows what the kernel acknowledged, and no route
/// of another protocol is ever overwritten.
@Suite struct KernelRouteSyncHardeningTests {
    private func setUp(_ label: String) throws -> (TestNamespace, FailingSocket, KernelRouteSync) {
        let ns = try TestNamespace(label)
        try ns.exec(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        try ns.exec(["ip", "link", "set", "v1", "up"])
        try ns.exec(["ip", "link", "set", "v0", "up"])
        try ns.exec(["ip", "addr", "add", "10.9.0.1/24", "dev", "v0"])
        let socket = FailingSocket(try NetworkNamespace(path: ns.path).openNetlinkSocket())
        return (ns, socket, KernelRouteSync(table: KernelTable(protocolID: 206, metric: 20), socket: socket))
    }

    private func installs(_ count: Int, via gateway: String = "10.9.0.2") -> [KernelRouteChange] {
        (0..<count).map { i in
            .install(IPPrefix(network: .v4(IPv4Address(UInt32(0x0B00_0000) + UInt32(i) << 8)), length: 24)!,
                     via: KernelNextHop(gateway: IPAddress(gateway)!))
        }
    }

    private func kernelCount(_ ns: TestNamespace) throws -> Int {
        try ns.exec(["ip", "route", "show", "proto", "206"]).stdout.split(separator: "\n").count
    }

    /// A batch cut short after its first chunk: the record keeps what was acknowledged, the
    /// rest is unknown; the retry reads the table and installs what is missing, and a later
    /// withdrawal removes every route the kernel has (none is skipped as "never installed").
    @Test func batchCutShortMidwayIsRepairedAndWithdrawalsReachTheKernel() throws {
        let (ns, socket, sync) = try setUp("rsfail")
        socket.failAfter = 64
        let report = try sync.apply(installs(200))
        #expect(report.added == 64 && report.unconfirmed == 136 && report.interruption != nil)
        #expect(try kernelCount(ns) == 64)
        #expect(sync.installedCount == 64 && sync.pendingCount > 0)

        let retried = try sync.retryFailed()
        #expect(retried.added == 136)
        #expect(try kernelCount(ns) == 200 && sync.installedCount == 200 && sync.pendingCount == 0)

        // Withdrawals cut short too: the ones past the cut are found by the rescan and removed.
        socket.failAfter = 50
        let withdrawn = try sync.apply(installs(200).map { .remove($0.prefix) })
        #expect(withdrawn.removed == 50 && withdrawn.unconfirmed == 150)
        _ = try sync.retryFailed()
        #expect(try kernelCount(ns) == 0 && sync.installedCount == 0)
    }

    /// A withdrawal the kernel refuses leaves the route recorded as ours and is retried; the
    /// old code counted any removal error as removed and never tried again.
    @Test func refusedRemovalStaysRecordedAndIsRetried() throws {
        let (ns, socket, sync) = try setUp("rsdel")
        _ = try sync.apply(installs(3))
        socket.refuseDeletions = true
        let refused = try sync.apply(installs(3).map { .remove($0.prefix) })
        #expect(refused.removed == 0 && refused.refused.count == 3)
        #expect(sync.installedCount == 3 && sync.pendingCount == 3)
        socket.refuseDeletions = false
        #expect(try sync.retryFailed().removed == 3)
        #expect(try kernelCount(ns) == 0 && sync.installedCount == 0 && sync.pendingCount == 0)
    }

    /// A route deleted behind our back is found by the periodic rescan and put back.
    @Test func rescanPutsBackWhatTheKernelLost() throws {
        let (ns, _, sync) = try setUp("rsscan")
        _ = try sync.apply(installs(10))
        try ns.exec(["ip", "route", "del", "11.0.3.0/24", "proto", "206"])
        let report = try sync.rescan()
        #expect(report.added == 1)
        #expect(try kernelCount(ns) == 10)
    }

    /// Another daemon replaced our route with its own (same prefix and metric): a next-hop
    /// change of ours must not overwrite it. The old code sent NLM_F_REPLACE, which the
    /// kernel applies to whatever route holds the prefix and metric.
    @Test func nextHopChangeNeverOverwritesAnotherProtocolsRoute() throws {
        let (ns, _, sync) = try setUp("rsrepl")
        _ = try sync.apply([.install(IPPrefix("10.20.0.0/24")!, via: KernelNextHop(gateway: IPAddress("10.9.0.2")!))])
        try ns.exec(["ip", "route", "replace", "10.20.0.0/24", "via", "10.9.0.5", "proto", "static", "metric", "20"])
        let report = try sync.apply([.install(IPPrefix("10.20.0.0/24")!, via: KernelNextHop(gateway: IPAddress("10.9.0.3")!))])
        #expect(report.refused.map(\.prefix) == [IPPrefix("10.20.0.0/24")!])
        #expect(try ns.exec(["ip", "route", "show", "10.20.0.0/24"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines) == "10.20.0.0/24 via 10.9.0.5 dev v0 proto static metric 20")
    }

    @Test func protocolNumbersOfOtherDaemonsAreRefused() throws {
        for (number, owner) in [(UInt8(12), "BIRD"), (186, "FRR"), (188, "FRR"), (4, "the kernel's own"), (11, "zebra")] {
            let error = #expect(throws: RouteSyncConfigError.self) { try RouteSyncConfig(learnedProtocolID: number).validated() }
            #expect(error?.key == "protocol" && error?.reason.contains(owner) == true, "\(number): \(String(describing: error))")
        }
        #expect(throws: RouteSyncConfigError.self) { try RouteSyncConfig(peerProtocolID: 186).validated() }
        #expect(throws: RouteSyncConfigError.self) { try RouteSyncConfig(learnedProtocolID: 207, peerProtocolID: 207).validated() }
        #expect(throws: RouteSyncConfigError.self) { try RouteSyncConfig(table: 255).validated() }
        #expect(try RouteSyncConfig().validated() == RouteSyncConfig())
    }
}
