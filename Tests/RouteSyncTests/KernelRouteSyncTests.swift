import Foundation
import Netlink
import NetworkCore
import RouteSync
import Testing
import TestSupport

/// KernelRouteSync against a real kernel table inside a `te-` namespace.
@Suite struct KernelRouteSyncTests {
    /// A namespace with `v0` up (10.9.0.1/24, fd09::1/64) and a sync on its main table.
    private func setUp(_ label: String, table: KernelTable = KernelTable(protocolID: 206, metric: 20)) throws -> (TestNamespace, KernelRouteSync) {
        let ns = try TestNamespace(label)
        try ns.exec(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        try ns.exec(["ip", "link", "set", "v1", "up"])
        try ns.exec(["ip", "link", "set", "v0", "up"])
        try ns.exec(["ip", "addr", "add", "10.9.0.1/24", "dev", "v0"])
        try ns.exec(["ip", "addr", "add", "fd09::1/64", "dev", "v0", "nodad"])
        return (ns, try KernelRouteSync(table: table, namespace: NetworkNamespace(path: ns.path)))
    }

    /// `ip [-6] route show proto 206 table T` lines, for a cross-check with iproute2.
    private func listed(_ ns: TestNamespace, _ family: String, proto: String = "206", table: String = "254") throws -> [String] {
        try ns.exec(["ip", family, "route", "show", "table", table, "proto", proto]).stdout
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private func install(_ prefix: String, via gateway: String) -> KernelRouteChange {
        .install(IPPrefix(prefix)!, via: KernelNextHop(gateway: IPAddress(gateway)!))
    }

    @Test func installReplaceRemoveBothFamilies() throws {
        let (ns, sync) = try setUp("rsync")
        var report = try sync.apply([install("10.20.0.0/24", via: "10.9.0.2"), install("fd20::/64", via: "fd09::2")])
        #expect(report.added == 2 && report.refused.isEmpty)
        #expect(try listed(ns, "-4") == ["10.20.0.0/24 via 10.9.0.2 dev v0 metric 20"])
        #expect(try listed(ns, "-6") == ["fd20::/64 via fd09::2 dev v0 metric 20 pref medium"])

        // The same next hop again costs nothing; a new one replaces in place.
        report = try sync.apply([install("10.20.0.0/24", via: "10.9.0.2")])
        #expect(report.added == 0 && report.replaced == 0)
        report = try sync.apply([install("10.20.0.0/24", via: "10.9.0.3"), install("fd20::/64", via: "fd09::3")])
        #expect(report.replaced == 2)
        #expect(try listed(ns, "-4") == ["10.20.0.0/24 via 10.9.0.3 dev v0 metric 20"])
        #expect(try listed(ns, "-6") == ["fd20::/64 via fd09::3 dev v0 metric 20 pref medium"])

        // Within one batch only the last change of a prefix counts.
        report = try sync.apply([install("10.21.0.0/24", via: "10.9.0.2"), .remove(IPPrefix("10.21.0.0/24")!),
                                 .remove(IPPrefix("10.20.0.0/24")!), .remove(IPPrefix("fd20::/64")!)])
        #expect(report.removed == 2 && report.added == 0)
        #expect(try listed(ns, "-4").isEmpty)
        #expect(try listed(ns, "-6").isEmpty)
        #expect(sync.installedCount == 0)
    }

    @Test func staleCleanupTouchesOnlyOurProtocolAndTable() throws {
        let (ns, sync) = try setUp("rstale")
        // Left by an earlier run (ours), and routes of others: static, and ours in another table.
        try ns.exec(["ip", "route", "add", "10.30.0.0/24", "via", "10.9.0.2", "proto", "206"])
        try ns.exec(["ip", "-6", "route", "add", "fd30::/64", "via", "fd09::2", "proto", "206"])
        try ns.exec(["ip", "route", "add", "10.31.0.0/24", "via", "10.9.0.2", "proto", "static", "metric", "20"])
        try ns.exec(["ip", "route", "add", "10.32.0.0/24", "via", "10.9.0.2", "proto", "206", "table", "100"])
        #expect(try sync.removeAll() == 2)
        #expect(try listed(ns, "-4").isEmpty)
        #expect(try listed(ns, "-6").isEmpty)
        #expect(try listed(ns, "-4", proto: "static") == ["10.31.0.0/24 via 10.9.0.2 dev v0 metric 20"])
        #expect(try listed(ns, "-4", table: "100") == ["10.32.0.0/24 via 10.9.0.2 dev v0"])

        // A learned prefix that another protocol already routes at our metric: refused, not overwritten.
        let report = try sync.apply([install("10.31.0.0/24", via: "10.9.0.3")])
        #expect(report.refused.map(\.prefix) == [IPPrefix("10.31.0.0/24")!])
        #expect(report.refused.first?.error.isExists == true)
        _ = try sync.apply([.remove(IPPrefix("10.31.0.0/24")!)])
        #expect(try listed(ns, "-4", proto: "static") == ["10.31.0.0/24 via 10.9.0.2 dev v0 metric 20"])
    }

    @Test func unreachableNextHopIsRefusedAndTheRestOfTheBatchInstalled() throws {
        let (ns, sync) = try setUp("rsunr")
        let report = try sync.apply([install("10.40.0.0/24", via: "192.0.2.1"), install("10.41.0.0/24", via: "10.9.0.2"),
                                     install("fd40::/64", via: "fd99::1")])
        #expect(report.added == 1)
        #expect(Set(report.refused.map(\.prefix.description)) == ["10.40.0.0/24", "fd40::/64"])
        // IPv4 says ENETUNREACH ("Nexthop has invalid gateway"), IPv6 EHOSTUNREACH.
        #expect(report.refused.allSatisfy { [ENETUNREACH, EHOSTUNREACH].contains($0.error.errno) }, "\(report.refused.map(\.error))")
        #expect(try listed(ns, "-4") == ["10.41.0.0/24 via 10.9.0.2 dev v0 metric 20"])
        #expect(try listed(ns, "-6").isEmpty)

        // An installed route whose new next hop is unreachable goes, rather than pointing to the old one.
        let moved = try sync.apply([install("10.41.0.0/24", via: "192.0.2.1")])
        #expect(moved.refused.count == 1)
        #expect(try listed(ns, "-4").isEmpty)
        #expect(sync.installedCount == 0)
    }

    /// Timing only, never gated: 100,000 IPv4 /24s in, then out by the stale cleanup.
    @Test func hundredThousandRoutes() throws {
        let (ns, sync) = try setUp("rsbulk")
        let count = 100_000
        let gateway = KernelNextHop(gateway: IPAddress("10.9.0.2")!)
        let changes = (0..<count).map { i in
            KernelRouteChange.install(IPPrefix(network: .v4(IPv4Address(UInt32(0x0B00_0000) + UInt32(i) << 8)), length: 24)!, via: gateway)
        }
        let clock = ContinuousClock()
        var report = KernelSyncReport()
        let installing = try clock.measure {
            // In batches of 4096, about what a BGP UPDATE stream hands over.
            for start in stride(from: 0, to: count, by: 4096) {
                let batch = try sync.apply(Array(changes[start..<min(start + 4096, count)]))
                report.added += batch.added
                report.refused += batch.refused
            }
        }
        #expect(report.added == count && report.refused.isEmpty)
        let inKernel = try sync.ownRoutes(family: .v4).count
        #expect(inKernel == count)
        var removed = 0
        let removing = try clock.measure { removed = try sync.removeAll() }
        #expect(removed == count)
        print("KernelRouteSync: \(count) routes installed in \(installing), removed (dump + delete) in \(removing), namespace \(ns.name)")
    }
}
