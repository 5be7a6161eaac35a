import BGP
import Logging
import Metrics
import NetworkCore
import RouteSync
import ServiceLifecycle

/// The speaker's learned best paths into the kernel through RouteSync's writer (its
/// learned-routes table and protocol number), as BIRD's kernel protocol does. Listed before
/// the speaker in the group: it subscribes when built (the stream must see the first
/// UPDATEs) and stops after the speaker, whose shutdown ends the stream; then ours are
/// removed unless graceful restart keeps them forwarding (RFC 4724).
///
/// At start, routes an earlier run left are adopted when the forwarding state survived
/// (`adopt`: a graceful restart for `bgp serve`, always for the agent, whose SIGKILLed
/// predecessor left them on purpose); those not learned again go when every peer's
/// End-of-RIB has arrived (or the deferral timer ended), or after the restart time when
/// the speaker did not restart gracefully.
/// Otherwise they are removed as stale.
public struct LearnedRouteExportService: Service {
    private let writer: RouteWriter
    private let changes: AsyncStream<[LearnedRouteChange]>
    private let adopt: Bool
    private let restartTime: Duration?
    private let logger: Logger
    private let name: String
    private let speaker: BGPSpeaker

    /// Refused routes logged per batch; the rest are counted.
    static let refusalLines = 10

    public init(speaker: BGPSpeaker, writer: RouteWriter, adopt: Bool, logger: Logger) {
        self.writer = writer
        self.speaker = speaker
        changes = speaker.learnedRouteChanges()
        self.adopt = adopt
        restartTime = speaker.config.gracefulRestart.map { .seconds(Int($0.restartTime)) }
        self.logger = logger
        let table = writer.config.learnedTable
        name = "kernel table \(table.id) proto \(table.protocolID)"
    }

    public func run() async throws {
        let name = name
        if adopt {
            let kept = try await writer.withLearnedRoutes { try $0.adoptExisting() }
            logger.info("bgp: \(name): kept \(kept) routes across the graceful restart")
        } else {
            let removed = try await writer.withLearnedRoutes { try $0.removeAll() }
            logger.info("bgp: \(name): removed \(removed) stale routes")
        }
        let sweep = Task { [writer, logger, adopt, restartTime, speaker] in
            guard adopt, let restartTime else { return }
            // RFC 4724 §4.1: after our graceful restart, what was not learned again goes once
            // every peer has sent End-of-RIB or the selection deferral ended. Without the
            // restart marker (a SIGKILLed agent) the speaker does not defer: wait the restart time.
            let started = ContinuousClock.now
            await speaker.initialRoutesComplete()
            if !speaker.restarting { try? await Task.sleep(until: started + restartTime) }
            // The routes learned again must be in the kernel (taken over) before the sweep,
            // or it removes them and the next batch puts them back: a forwarding gap.
            await speaker.learnedRoutesApplied()
            guard !Task.isCancelled else { return }
            if let removed = try? await writer.withLearnedRoutes({ try $0.removeAdopted() }) {
                logger.info("bgp: \(name): \(removed) routes not learned again removed")
            }
        }
        defer { sweep.cancel() }
        // Not cancelled on graceful shutdown: the speaker stops first and ends the stream.
        for await batch in changes { await apply(batch) }
        sweep.cancel()
        if restartTime != nil {
            let kept = (try? await writer.withLearnedRoutes { $0.installedCount }) ?? 0
            logger.info("bgp: kernel: \(kept) routes kept for the graceful restart")
        } else {
            do {
                let removed = try await writer.withLearnedRoutes { try $0.removeAll() }
                logger.info("bgp: kernel: removed \(removed) routes")
            } catch {
                logger.error("bgp: kernel: removing our routes failed", metadata: ["error": "\(error)"])
            }
        }
        // The stream ends while the group is still stopping the speaker: returning before our
        // own turn would fail the shutdown ("finished unexpectedly", exit status 1).
        try? await gracefulShutdown()
    }

    /// Changes handed to the writer at a time: a full table's batch is applied in slices, so
    /// the kernel requests and their bookkeeping never exist for all of it at once.
    static let sliceSize = 16_384

    private func apply(_ batch: [LearnedRouteChange]) async {
        for start in stride(from: 0, to: batch.count, by: Self.sliceSize) {
            await apply(slice: batch[start..<min(start + Self.sliceSize, batch.count)])
        }
    }

    private func apply(slice batch: ArraySlice<LearnedRouteChange>) async {
        let changes = batch.map { change -> KernelRouteChange in
            guard let nextHop = change.nextHop else { return .remove(change.prefix) }
            return .install(change.prefix, via: KernelNextHop(gateway: nextHop.gateway, device: nextHop.interface))
        }
        let started = ContinuousClock.now
        do {
            let (report, installed) = try await writer.withLearnedRoutes { sync in (try sync.apply(changes), sync.installedCount) }
            AgentMetrics.routeSync("bgp").recordInterval(since: started)
            AgentMetrics.routesInstalled("bgp").record(installed)
            for refusal in report.refused.prefix(Self.refusalLines) {
                logger.warning("bgp: kernel: \(refusal.prefix) via \(refusal.nextHop) not installed: \(refusal.error)")
            }
            if report.refused.count > Self.refusalLines {
                logger.warning("bgp: kernel: \(report.refused.count - Self.refusalLines) more routes of this batch not installed")
            }
            if !report.refused.isEmpty { AgentMetrics.reconcileErrors("bgp").increment(by: report.refused.count) }
        } catch {
            AgentMetrics.reconcileErrors("bgp").increment()
            logger.error("bgp: kernel: netlink failed, \(changes.count) changes not applied", metadata: ["error": "\(error)"])
        }
    }
}

extension Timer {
    func recordDuration(_ duration: Duration) {
        recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Records the time since `start` on the continuous clock.
    func recordInterval(since start: ContinuousClock.Instant) {
        recordDuration(ContinuousClock.now - start)
    }
}
