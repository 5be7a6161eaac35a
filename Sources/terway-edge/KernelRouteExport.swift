import BGP
import Foundation
import NetworkCore
import RouteSync

/// `bgp serve` with a `kernel` key: the speaker's learned best paths go into a kernel table
/// of this process's network namespace through RouteSync's writer, as BIRD's kernel protocol
/// does (refused routes retried, the table read again periodically and after lost events).
/// At start the routes an earlier run left behind are removed, except after a graceful
/// restart (RFC 4724: the forwarding state was kept; they are adopted and those not learned
/// again by the end of the restart time go). At shutdown ours are removed unless graceful
/// restart is configured.
final class KernelRouteExport: Sendable {
    private let writer: RouteWriter
    private let log: @Sendable (String) -> Void
    private let tasks = Tasks()

    /// Refused routes logged per batch; the rest are counted.
    static let refusalLines = 10

    init(_ config: KernelTableConfig, log: @escaping @Sendable (String) -> Void) throws {
        // Every route of our number is ours to remove: another daemon's number is refused.
        try RouteSyncConfig.checkProtocol(config.protocolID, key: "kernel.protocol")
        writer = try RouteWriter(config: RouteSyncConfig(table: config.table, learnedProtocolID: config.protocolID,
                                                         metric: config.metric),
                                 log: { log("bgp: kernel: \($0)") })
        self.log = log
    }

    private var name: String { "kernel table \(writer.config.table) proto \(writer.config.learnedProtocolID)" }

    /// Clears or adopts what an earlier run left, then follows the speaker's learned routes.
    func start(following speaker: BGPSpeaker) async throws {
        try await writer.start()
        let name = name
        if speaker.restarting, let restartTime = speaker.config.gracefulRestart?.restartTime {
            let adopted = try await writer.withLearnedRoutes { try $0.adoptExisting() }
            log("bgp: \(name): kept \(adopted) routes across the graceful restart")
            let writer = writer, log = log
            tasks.sweep = Task.detached {
                try? await Task.sleep(for: .seconds(Int(restartTime)))
                guard !Task.isCancelled else { return }
                if let removed = try? await writer.withLearnedRoutes({ try $0.removeAdopted() }) {
                    log("bgp: \(name): \(removed) routes not learned again removed")
                }
            }
        } else {
            let removed = try await writer.withLearnedRoutes { try $0.removeAll() }
            log("bgp: \(name): removed \(removed) stale routes")
        }
        let changes = speaker.learnedRouteChanges()
        tasks.consumer = Task.detached { [self] in
            for await batch in changes { await apply(batch) }
        }
    }

    private func apply(_ batch: [LearnedRouteChange]) async {
        let changes = batch.map { change -> KernelRouteChange in
            guard let gateway = change.best?.attributes.nextHop?.address else { return .remove(change.prefix) }
            return .install(change.prefix, via: KernelNextHop(gateway: gateway))
        }
        do {
            let report = try await writer.withLearnedRoutes { try $0.apply(changes) }
            for refusal in report.refused.prefix(Self.refusalLines) {
                log("bgp: kernel: \(refusal.prefix) via \(refusal.nextHop) not installed: \(refusal.error)")
            }
            if report.refused.count > Self.refusalLines {
                log("bgp: kernel: \(report.refused.count - Self.refusalLines) more routes of this batch not installed")
            }
            if let interruption = report.interruption {
                log("bgp: kernel: netlink failed after part of the batch (\(interruption)); \(report.unconfirmed) changes are checked again")
            }
        } catch {
            log("bgp: kernel: netlink failed, \(changes.count) changes not applied: \(error)")
        }
    }

    /// After `speaker.shutdown()` (which ends the stream): waits for the last batch, then
    /// removes our routes unless the speaker restarts gracefully and they keep forwarding.
    func finish(keepingRoutes: Bool) async {
        tasks.sweep?.cancel()
        await tasks.consumer?.value
        do {
            if keepingRoutes {
                log("bgp: kernel: \(try await writer.withLearnedRoutes { $0.installedCount }) routes kept for the graceful restart")
            } else {
                log("bgp: kernel: removed \(try await writer.withLearnedRoutes { try $0.removeAll() }) routes")
            }
        } catch {
            log("bgp: kernel: removing our routes failed: \(error)")
        }
        writer.stop()
    }
}

/// The export's two tasks, set once at start and read at finish.
private final class Tasks: @unchecked Sendable {
    var consumer: Task<Void, Never>?
    var sweep: Task<Void, Never>?
}
