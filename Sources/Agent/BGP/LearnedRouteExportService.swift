import BGP
import Logging
import Metrics
import NetworkCore
import RouteSync
import ServiceLifecycle
import Foundation

/// The speaker's learned best paths into a kernel table of this network namespace, as
/// BIRD's kernel protocol does. Listed before the speaker in the group: it subscribes when
/// built (the stream must see the first UPDATEs) and stops after the speaker, whose
/// shutdown ends the stream; then ours are removed unless graceful restart keeps them
/// forwarding (RFC 4724).
///
/// At start, routes an earlier run left are adopted when the forwarding state survived
/// (`adopt`: a graceful restart for `bgp serve`, always for the agent, whose SIGKILLed
/// predecessor left them on purpose); those not learned again within the restart time go.
/// Otherwise they are removed as stale.
public final class LearnedRouteExportService: Service, @unchecked Sendable {
    /// Not thread-safe: every use holds `lock` (the consumer and the end-of-restart sweep).
    private let kernel: KernelRouteSync
    private let lock = NSLock()
    private let changes: AsyncStream<[LearnedRouteChange]>
    private let adopt: Bool
    private let restartTime: Duration?
    private let keepRoutesAtShutdown: Bool
    private let logger: Logger
    private let name: String

    /// Refused routes logged per batch; the rest are counted.
    static let refusalLines = 10

    public init(speaker: BGPSpeaker, table: KernelTable, adopt: Bool, logger: Logger) throws {
        kernel = try KernelRouteSync(table: table)
        changes = speaker.learnedRouteChanges()
        self.adopt = adopt
        let gr = speaker.config.gracefulRestart
        restartTime = gr.map { .seconds(Int($0.restartTime)) }
        keepRoutesAtShutdown = gr != nil
        self.logger = logger
        name = "kernel table \(table.id) proto \(table.protocolID)"
    }

    public func run() async throws {
        let name = name
        if adopt {
            let kept = try withKernel { try $0.adoptExisting() }
            logger.info("bgp: \(name): kept \(kept) routes across the graceful restart")
        } else {
            let removed = try withKernel { try $0.removeAll() }
            logger.info("bgp: \(name): removed \(removed) stale routes")
        }
        let sweep = Task { [self] in
            guard adopt, let restartTime else { return }
            try? await Task.sleep(for: restartTime)
            guard !Task.isCancelled else { return }
            if let removed = try? withKernel({ try $0.removeAdopted() }) {
                logger.info("bgp: \(name): \(removed) routes not learned again removed")
            }
        }
        defer { sweep.cancel() }
        // Not cancelled on graceful shutdown: the speaker stops first and ends the stream.
        for await batch in changes { apply(batch) }
        sweep.cancel()
        if keepRoutesAtShutdown {
            logger.info("bgp: kernel: \(withKernel { $0.installedCount }) routes kept for the graceful restart")
        } else {
            do {
                let removed = try withKernel { try $0.removeAll() }
                logger.info("bgp: kernel: removed \(removed) routes")
            } catch {
                logger.error("bgp: kernel: removing our routes failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func withKernel<T>(_ body: (KernelRouteSync) throws -> T) rethrows -> T {
        try lock.withLock { try body(kernel) }
    }

    private func apply(_ batch: [LearnedRouteChange]) {
        let changes = batch.map { change -> KernelRouteChange in
            guard let gateway = change.best?.attributes.nextHop?.address else { return .remove(change.prefix) }
            return .install(change.prefix, via: KernelNextHop(gateway: gateway))
        }
        let started = ContinuousClock.now
        do {
            let report = try withKernel { try $0.apply(changes) }
            AgentMetrics.routeSync("bgp").recordInterval(since: started)
            AgentMetrics.routesInstalled("bgp").record(withKernel { $0.installedCount })
            for refusal in report.refused.prefix(Self.refusalLines) {
                logger.warning("bgp: kernel: \(refusal.prefix) via \(refusal.nextHop) not installed: \(refusal.error)")
            }
            if report.refused.count > Self.refusalLines {
                logger.warning("bgp: kernel: \(report.refused.count - Self.refusalLines) more routes of this batch not installed")
            }
            if !report.refused.isEmpty {
                AgentMetrics.reconcileErrors("bgp").increment(by: report.refused.count)
            }
        } catch {
            AgentMetrics.reconcileErrors("bgp").increment()
            logger.error("bgp: kernel: netlink failed, \(changes.count) changes not applied", metadata: ["error": "\(error)"])
        }
    }
}

extension Timer {
    /// Records the time since `start` on the continuous clock.
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(Int64(elapsed.components.seconds) * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
