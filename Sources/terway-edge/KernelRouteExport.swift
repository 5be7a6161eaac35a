import BGP
import Foundation
import NetworkCore
import RouteSync

/// `bgp serve` with a `kernel` key: the speaker's learned best paths go into a kernel table
/// of this process's network namespace, as BIRD's kernel protocol does. At start the routes
/// an earlier run left behind are removed, except after a graceful restart (RFC 4724: the
/// forwarding state was kept; they are adopted and those not learned again by the end of
/// the restart time go). At shutdown ours are removed unless graceful restart is configured.
final class KernelRouteExport: @unchecked Sendable {
    /// Not thread-safe: every use holds `lock` (the consumer and the end-of-restart sweep).
    private let sync: KernelRouteSync
    private let lock = NSLock()
    private let log: @Sendable (String) -> Void
    private var consumer: Task<Void, Never>?
    private var sweep: Task<Void, Never>?

    /// Refused routes logged per batch; the rest are counted.
    static let refusalLines = 10

    init(_ config: KernelTableConfig, log: @escaping @Sendable (String) -> Void) throws {
        // Every route of our number is ours to remove: another daemon's number is refused.
        try RouteSyncConfig.checkProtocol(config.protocolID, key: "kernel.protocol")
        sync = try KernelRouteSync(table: KernelTable(id: config.table, protocolID: config.protocolID, metric: config.metric))
        self.log = log
    }

    /// Clears or adopts what an earlier run left, then follows the speaker's learned routes.
    func start(following speaker: BGPSpeaker) throws {
        let name = "kernel table \(sync.table.id) proto \(sync.table.protocolID)"
        if speaker.restarting, let restartTime = speaker.config.gracefulRestart?.restartTime {
            log("bgp: \(name): kept \(try sync.adoptExisting()) routes across the graceful restart")
            let sync = sync, lock = lock, log = log
            sweep = Task.detached {
                try? await Task.sleep(for: .seconds(Int(restartTime)))
                guard !Task.isCancelled else { return }
                if let removed = try? lock.withLock({ try sync.removeAdopted() }) {
                    log("bgp: \(name): \(removed) routes not learned again removed")
                }
            }
        } else {
            log("bgp: \(name): removed \(try sync.removeAll()) stale routes")
        }
        let changes = speaker.learnedRouteChanges()
        consumer = Task.detached { [self] in
            for await batch in changes { apply(batch) }
        }
    }

    private func apply(_ batch: [LearnedRouteChange]) {
        let changes = batch.map { change -> KernelRouteChange in
            guard let gateway = change.best?.attributes.nextHop?.address else { return .remove(change.prefix) }
            return .install(change.prefix, via: KernelNextHop(gateway: gateway))
        }
        do {
            let report = try lock.withLock { try sync.apply(changes) }
            for refusal in report.refused.prefix(Self.refusalLines) {
                log("bgp: kernel: \(refusal.prefix) via \(refusal.nextHop) not installed: \(refusal.error)")
            }
            if report.refused.count > Self.refusalLines {
                log("bgp: kernel: \(report.refused.count - Self.refusalLines) more routes of this batch not installed")
            }
        } catch {
            log("bgp: kernel: netlink failed, \(changes.count) changes not applied: \(error)")
        }
    }

    /// After `speaker.shutdown()` (which ends the stream): waits for the last batch, then
    /// removes our routes unless the speaker restarts gracefully and they keep forwarding.
    func finish(keepingRoutes: Bool) async {
        sweep?.cancel()
        await consumer?.value
        if keepingRoutes {
            log("bgp: kernel: \(lock.withLock { sync.installedCount }) routes kept for the graceful restart")
        } else {
            do {
                log("bgp: kernel: removed \(try lock.withLock { try sync.removeAll() }) routes")
            } catch {
                log("bgp: kernel: removing our routes failed: \(error)")
            }
        }
    }
}
