import Glibc
import Netlink
import NetworkCore

/// Keeps one kernel routing table in step with a stream of route changes, as BIRD's kernel
/// protocol does: each prefix installed with our protocol number, changed when its next hop
/// changes, removed when it goes. Changes go to the kernel in netlink batches, and a route
/// the kernel refuses is reported, not fatal.
///
/// One record keeps it honest: per prefix, what the changes asked for (desired) and what the
/// kernel acknowledged (installed), in a `RouteRecord` compact enough for a full table. A
/// batch cut short by a socket error leaves the prefixes past the last ACK unknown: the next
/// `retryFailed` reads the table again (`rescan`) before diffing. Refused installs are
/// retried by `retryFailed`; `rescan` also runs periodically. Requests go out in slices, and
/// dumps are read route by route, so neither a full table's requests nor its dump is ever
/// held at once.
///
/// Only routes of our protocol number are ever removed, and no route is ever overwritten:
/// a changed next hop is a deletion matching our protocol followed by an exclusive add, so
/// a route another daemon put in our place (even with NLM_F_REPLACE over ours) is refused
/// (EEXIST), never replaced.
///
/// Not thread-safe (like the socket it uses): `RouteWriter` runs it on its thread.
public final class KernelRouteSync {
    public let table: KernelTable
    private let socket: any RouteSyncSocket
    private var record = RouteRecord()
    /// A batch was cut short or events were lost: the installed state may be wrong until a rescan.
    private var unknown = false

    /// Prefixes per netlink batch: the requests and their bookkeeping of one slice at a time.
    static let sliceSize = 16_384

    /// Opens a netlink socket in `namespace` (nil: the calling thread's namespace).
    public convenience init(table: KernelTable, namespace: NetworkNamespace? = nil) throws {
        self.init(table: table, socket: try namespace?.openNetlinkSocket() ?? NetlinkSocket())
    }

    /// A sync over any socket (the writer's, or a test's that fails part of a batch).
    public init(table: KernelTable, socket: any RouteSyncSocket) {
        self.table = table
        self.socket = socket
    }

    /// Prefixes the kernel acknowledged as ours.
    public var installedCount: Int { record.installedCount }

    /// Prefixes waiting for a retry (refused, or unknown after a cut-short batch).
    public var pendingCount: Int { record.failedCount + (unknown ? 1 : 0) }

    /// Removes every route of our protocol in our table, IPv4 and IPv6: at start, the
    /// routes an earlier run left behind; at a shutdown without graceful restart, ours.
    /// Returns how many went.
    @discardableResult
    public func removeAll() throws(NetlinkError) -> Int {
        var routes: [KernelRoute] = []
        for family in [IPFamily.v4, .v6] {
            routes += try ownRoutes(family: family)
        }
        record = RouteRecord()
        unknown = false
        // Each route deleted as the kernel listed it (its metric may be an earlier run's).
        for start in stride(from: 0, to: routes.count, by: Self.sliceSize) {
            let slice = routes[start..<min(start + Self.sliceSize, routes.count)]
            let result = socket.performAcknowledged(slice.map(Self.deletion))
            if let failure = result.outcomes.lazy.compactMap({ $0 }).first ?? result.interruption {
                unknown = true
                throw failure
            }
        }
        return routes.count
    }

    /// After a graceful restart (RFC 4724): keeps the routes of our protocol an earlier run
    /// left, as if installed by us, so that a route learned again with the same next hop
    /// costs nothing and one with another next hop changes it. Returns how many.
    @discardableResult
    public func adoptExisting() throws(NetlinkError) -> Int {
        try rescanInstalled()
        record.adoptInstalled()
        return record.adoptedCount
    }

    /// The end of a graceful restart: removes the adopted routes no change has mentioned
    /// since (the peers did not announce them again). Returns how many went.
    @discardableResult
    public func removeAdopted() throws(NetlinkError) -> Int {
        try reconcile(record.takeAdopted()).removed
    }

    /// The routes of our protocol in our table, as the kernel lists them.
    public func ownRoutes(family: IPFamily) throws(NetlinkError) -> [KernelRoute] {
        let socket = socket, table = table
        return try socket.retryingInterrupted { () throws(NetlinkError) in
            var routes: [KernelRoute] = []
            try socket.forEachRoute(family: family, table: table.id) { route in
                if route.protocolID == table.protocolID { routes.append(route) }
            }
            return routes
        }
    }

    /// Applies `changes` in order (for one prefix only its last change matters) and says
    /// what happened. Throws only when a rescan the record needed fails.
    public func apply(_ changes: [KernelRouteChange]) throws(NetlinkError) -> KernelSyncReport {
        var touched = Set<IPPrefix>(minimumCapacity: changes.count)
        var order: [IPPrefix] = []
        order.reserveCapacity(changes.count)
        for change in changes {
            switch change {
            case .install(let prefix, let nextHop): record.setDesired(prefix, nextHop)
            case .remove(let prefix): record.setDesired(prefix, nil)
            }
            if touched.insert(change.prefix).inserted { order.append(change.prefix) }
        }
        // After a cut-short batch the record is read again, and everything compared.
        return unknown ? try rescan() : try reconcile(order)
    }

    /// Tries again what failed (and, after a cut-short batch or lost events, reads the table first).
    public func retryFailed() throws(NetlinkError) -> KernelSyncReport {
        if unknown { return try rescan() }
        return try reconcile(record.takeFailed())
    }

    /// The record may be wrong (the monitor lost events): the next retry reads the table.
    public func markUnknown() { unknown = true }

    /// Reads our routes from the kernel into the record and installs or removes whatever
    /// differs from what the changes asked for: the periodic check, and the repair after ENOBUFS.
    public func rescan() throws(NetlinkError) -> KernelSyncReport {
        try rescanInstalled()
        _ = record.takeFailed()
        return try reconcile(record.differing)
    }

    /// The installed state from a dump, route by route. A dump that fails part way leaves
    /// it unknown: the next retry reads again.
    private func rescanInstalled() throws(NetlinkError) {
        let socket = socket, table = table
        unknown = true
        for family in [IPFamily.v4, .v6] {
            try socket.retryingInterrupted { () throws(NetlinkError) in
                record.clearInstalled(family: family)
                try socket.forEachRoute(family: family, table: table.id) { route in
                    guard route.protocolID == table.protocolID, let gateway = route.gateway else { return }
                    // A next hop asked for without a device matches the kernel's whatever device it resolved.
                    if let wanted = record.desired(route.destination), wanted.gateway == gateway,
                       wanted.device == nil || wanted.device == route.outputInterface {
                        record.setInstalled(route.destination, wanted)
                    } else {
                        record.setInstalled(route.destination, KernelNextHop(gateway: gateway))
                    }
                }
            }
        }
        unknown = false
    }

    /// Sends what `prefixes` need to get from installed to desired, a slice at a time; the
    /// record follows each ACK. A cut-short batch makes the prefixes past it unknown, and
    /// the slices after it are not sent.
    private func reconcile(_ prefixes: [IPPrefix]) throws(NetlinkError) -> KernelSyncReport {
        var report = KernelSyncReport()
        for start in stride(from: 0, to: prefixes.count, by: Self.sliceSize) {
            let slice = prefixes[start..<min(start + Self.sliceSize, prefixes.count)]
            guard report.interruption == nil else {
                report.unconfirmed += slice.reduce(0) { $0 + requestCount($1) }
                continue
            }
            reconcile(slice, into: &report)
        }
        return report
    }

    private func reconcile(_ prefixes: ArraySlice<IPPrefix>, into report: inout KernelSyncReport) {
        var work: [(prefix: IPPrefix, wanted: KernelNextHop?, previous: KernelNextHop?, step: Step)] = []
        var requests: [NetlinkRequest] = []
        for prefix in prefixes {
            let (wanted, previous) = record.nextHops(prefix)
            guard wanted != previous else { continue }
            if let previous {
                requests.append(deletion(prefix, via: previous))
                work.append((prefix, wanted, previous, .delete))
            }
            if let wanted {
                requests.append(.addRoute(kernelRoute(prefix, via: wanted)))
                work.append((prefix, wanted, previous, .add))
            }
        }
        guard !requests.isEmpty else { return }
        let result = socket.performAcknowledged(requests)
        for (item, outcome) in zip(work, result.outcomes) {
            switch (item.step, outcome) {
            case (.delete, nil):
                record.setInstalled(item.prefix, nil)
                if item.wanted == nil { report.removed += 1 }
            case (.delete, let error?):
                record.setFailed(item.prefix, true)
                report.refused.append((item.prefix, item.previous!, error))
            case (.add, nil):
                record.setInstalled(item.prefix, item.wanted, clearingFailure: true)
                if item.previous == nil { report.added += 1 } else { report.replaced += 1 }
            case (.add, let error?):
                // A changed next hop whose add failed: the old route is already gone (the
                // delete came first), so traffic does not go to the wrong next hop.
                record.setFailed(item.prefix, true)
                report.refused.append((item.prefix, item.wanted!, error))
            }
        }
        if let interruption = result.interruption {
            unknown = true
            report.unconfirmed += requests.count - result.outcomes.count
            report.interruption = interruption
        }
    }

    /// Requests `prefix` needs: a deletion, an add, or both for a changed next hop.
    private func requestCount(_ prefix: IPPrefix) -> Int {
        let (wanted, previous) = record.nextHops(prefix)
        guard wanted != previous else { return 0 }
        return (wanted == nil ? 0 : 1) + (previous == nil ? 0 : 1)
    }

    private enum Step { case delete, add }

    private func kernelRoute(_ prefix: IPPrefix, via nextHop: KernelNextHop) -> KernelRoute {
        KernelRoute(destination: prefix, gateway: nextHop.gateway, outputInterface: nextHop.device, metric: table.metric,
              table: table.id, protocolID: table.protocolID)
    }

    private func deletion(_ prefix: IPPrefix, via nextHop: KernelNextHop) -> NetlinkRequest {
        Self.deletion(kernelRoute(prefix, via: nextHop))
    }

    /// Only a route of our protocol matches; one already gone (ESRCH) is the same end.
    private static func deletion(_ route: KernelRoute) -> NetlinkRequest {
        .deleteRoute(route, matchingProtocol: true).tolerating(ESRCH)
    }
}
