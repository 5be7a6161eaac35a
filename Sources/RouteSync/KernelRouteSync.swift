import Glibc
import Netlink
import NetworkCore

/// Keeps one kernel routing table in step with a stream of route changes, as BIRD's kernel
/// protocol does: each prefix installed with our protocol number, changed when its next hop
/// changes, removed when it goes. Changes go to the kernel in netlink batches, and a route
/// the kernel refuses is reported, not fatal.
///
/// Two maps keep it honest: `desired` (what the changes asked for) and `installed` (what
/// the kernel acknowledged). A batch cut short by a socket error leaves the prefixes past the
/// last ACK unknown: the next `retryFailed` reads the table again (`rescan`) before diffing.
/// Refused installs are retried by `retryFailed`; `rescan` also runs periodically.
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
    /// What the changes asked for.
    private var desired: [IPPrefix: KernelNextHop] = [:]
    /// What the kernel acknowledged (or a dump showed) of ours.
    private var installed: [IPPrefix: KernelNextHop] = [:]
    /// Prefixes whose last request failed: retried by `retryFailed`.
    private var failed = Set<IPPrefix>()
    /// A batch was cut short or events were lost: `installed` may be wrong until a rescan.
    private var unknown = false
    /// Routes of ours found at a graceful restart and not changed since (`adoptExisting`).
    private var adopted = Set<IPPrefix>()

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
    public var installedCount: Int { installed.count }

    /// Prefixes waiting for a retry (refused, or unknown after a cut-short batch).
    public var pendingCount: Int { failed.count + (unknown ? 1 : 0) }

    /// Removes every route of our protocol in our table, IPv4 and IPv6: at start, the
    /// routes an earlier run left behind; at a shutdown without graceful restart, ours.
    /// Returns how many went.
    @discardableResult
    public func removeAll() throws(NetlinkError) -> Int {
        var routes: [KernelRoute] = []
        for family in [IPFamily.v4, .v6] {
            routes += try ownRoutes(family: family)
        }
        desired.removeAll()
        installed.removeAll()
        failed.removeAll()
        adopted.removeAll()
        unknown = false
        let result = socket.performAcknowledged(routes.map(Self.deletion))
        if let failure = result.outcomes.lazy.compactMap({ $0 }).first ?? result.interruption {
            unknown = true
            throw failure
        }
        return routes.count
    }

    /// After a graceful restart (RFC 4724): keeps the routes of our protocol an earlier run
    /// left, as if installed by us, so that a route learned again with the same next hop
    /// costs nothing and one with another next hop changes it. Returns how many.
    @discardableResult
    public func adoptExisting() throws(NetlinkError) -> Int {
        try rescanInstalled()
        for (prefix, nextHop) in installed where desired[prefix] == nil {
            desired[prefix] = nextHop
            adopted.insert(prefix)
        }
        return adopted.count
    }

    /// The end of a graceful restart: removes the adopted routes no change has mentioned
    /// since (the peers did not announce them again). Returns how many went.
    @discardableResult
    public func removeAdopted() throws(NetlinkError) -> Int {
        let prefixes = adopted
        adopted.removeAll()
        for prefix in prefixes { desired[prefix] = nil }
        return try reconcile(prefixes).removed
    }

    /// The routes of our protocol in our table, as the kernel lists them.
    public func ownRoutes(family: IPFamily) throws(NetlinkError) -> [KernelRoute] {
        let socket = socket, table = table
        return try socket.retryingInterrupted { () throws(NetlinkError) in
            try socket.listRoutes(family: family, table: table.id).filter { $0.protocolID == table.protocolID }
        }
    }

    /// Applies `changes` in order (for one prefix only its last change matters) and says
    /// what happened. Throws only when a rescan the record needed fails.
    public func apply(_ changes: [KernelRouteChange]) throws(NetlinkError) -> KernelSyncReport {
        var touched = Set<IPPrefix>(minimumCapacity: changes.count)
        for change in changes {
            if !adopted.isEmpty { adopted.remove(change.prefix) }
            switch change {
            case .install(let prefix, let nextHop): desired[prefix] = nextHop
            case .remove(let prefix): desired[prefix] = nil
            }
            touched.insert(change.prefix)
        }
        // After a cut-short batch the record is read again, and everything compared.
        return unknown ? try rescan() : try reconcile(touched)
    }

    /// Tries again what failed (and, after a cut-short batch or lost events, reads the table first).
    public func retryFailed() throws(NetlinkError) -> KernelSyncReport {
        if unknown { return try rescan() }
        let prefixes = failed
        failed.removeAll()
        return try reconcile(prefixes)
    }

    /// The record may be wrong (the monitor lost events): the next retry reads the table.
    public func markUnknown() { unknown = true }

    /// Reads our routes from the kernel into the record and installs or removes whatever
    /// differs from `desired`: the periodic check, and the repair after ENOBUFS.
    public func rescan() throws(NetlinkError) -> KernelSyncReport {
        try rescanInstalled()
        failed.removeAll()
        return try reconcile(Set(desired.keys).union(installed.keys))
    }

    private func rescanInstalled() throws(NetlinkError) {
        var found: [IPPrefix: KernelNextHop] = [:]
        for family in [IPFamily.v4, .v6] {
            for route in try ownRoutes(family: family) {
                guard let gateway = route.gateway else { continue }
                let kernel = KernelNextHop(gateway: gateway, device: route.outputInterface)
                // A next hop asked for without a device matches the kernel's whatever device it resolved.
                if let wanted = desired[route.destination], wanted.gateway == gateway, wanted.device == nil || wanted.device == route.outputInterface {
                    found[route.destination] = wanted
                } else {
                    found[route.destination] = KernelNextHop(gateway: kernel.gateway)
                }
            }
        }
        installed = found
        unknown = false
    }

    /// Sends what `prefixes` need to get from `installed` to `desired`; the record follows
    /// each ACK; the prefixes past a cut-short batch become unknown.
    private func reconcile(_ prefixes: Set<IPPrefix>) throws(NetlinkError) -> KernelSyncReport {
        var report = KernelSyncReport()
        var work: [(prefix: IPPrefix, wanted: KernelNextHop?, previous: KernelNextHop?, step: Step)] = []
        var requests: [NetlinkRequest] = []
        for prefix in prefixes {
            let wanted = desired[prefix], previous = installed[prefix]
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
        guard !requests.isEmpty else { return report }
        let result = socket.performAcknowledged(requests)
        for (item, outcome) in zip(work, result.outcomes) {
            switch (item.step, outcome) {
            case (.delete, nil):
                installed[item.prefix] = nil
                if item.wanted == nil { report.removed += 1 }
            case (.delete, let error?):
                failed.insert(item.prefix)
                report.refused.append((item.prefix, item.previous!, error))
            case (.add, nil):
                installed[item.prefix] = item.wanted
                failed.remove(item.prefix)
                if item.previous == nil { report.added += 1 } else { report.replaced += 1 }
            case (.add, let error?):
                // A changed next hop whose add failed: the old route is already gone (the
                // delete came first), so traffic does not go to the wrong next hop.
                failed.insert(item.prefix)
                report.refused.append((item.prefix, item.wanted!, error))
            }
        }
        if let interruption = result.interruption {
            unknown = true
            report.unconfirmed = requests.count - result.outcomes.count
            report.interruption = interruption
        }
        return report
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
