import BGP
import Foundation
import Logging
import Metrics
import NetworkCore
import ServiceLifecycle
import SubnetStore

/// The BGP speaker as a service: started with the group, shut down on SIGTERM (Cease to the
/// peers, or a silent close and a restart marker when graceful restart is configured).
/// In the agent it follows the lease: what the node advertises (its subnets, or the domain
/// aggregate) is originated while the lease lives and withdrawn when it goes.
public struct SpeakerService: Service {
    public let speaker: BGPSpeaker
    /// The lease to follow and what to announce for its subnets; nil for `bgp serve`, which
    /// originates what its config lists.
    let lease: (state: Broadcast<Lease?>, advertised: @Sendable ([IPPrefix]) -> [IPPrefix])?
    let logger: Logger
    /// How often the session gauges are refreshed.
    let pollInterval: Duration

    public init(speaker: BGPSpeaker, following lease: Broadcast<Lease?>? = nil,
                advertised: @escaping @Sendable ([IPPrefix]) -> [IPPrefix] = { $0 },
                logger: Logger, pollInterval: Duration = .seconds(1)) {
        self.speaker = speaker
        self.lease = lease.map { ($0, advertised) }
        self.logger = logger
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        try await speaker.start()
        let config = speaker.config
        logger.info("bgp: AS \(config.localAS) router-id \(config.routerID) listening\(config.listen.map { " on \($0)" } ?? " off"), \(config.peers.count) peers, control \(config.controlSocket)",
                    metadata: ["restarting": "\(speaker.restarting)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.publishSessionGauges() }
            if let lease {
                group.addTask { await self.follow(lease.state, advertised: lease.advertised) }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        logger.info("bgp: shutting down, \(config.gracefulRestart == nil ? "sending Cease to peers" : "graceful restart close")")
        await speaker.shutdown()
        if config.gracefulRestart != nil, !GracefulRestartMarker.write(for: config) {
            logger.warning("bgp: cannot write \(GracefulRestartMarker.path(for: config)): the next start will not be a graceful restart")
        }
        try? FileManager.default.removeItem(atPath: config.controlSocket)
    }

    /// Originates what the lease asks for, withdraws what it no longer does.
    private func follow(_ state: Broadcast<Lease?>, advertised: @Sendable ([IPPrefix]) -> [IPPrefix]) async {
        var announced: Set<IPPrefix> = []
        for await held in state.updates() {
            let wanted = Set(held.map { advertised($0.subnets) } ?? [])
            do {
                for prefix in wanted.subtracting(announced).sorted() {
                    try await speaker.originate(OriginateConfig(prefix: prefix))
                    logger.info("bgp: originating \(prefix)", metadata: ["prefix": "\(prefix)"])
                }
                for prefix in announced.subtracting(wanted).sorted() {
                    try await speaker.withdraw(prefix)
                    logger.info("bgp: withdrawing \(prefix)", metadata: ["prefix": "\(prefix)"])
                }
                announced = wanted
            } catch {
                AgentMetrics.reconcileErrors("bgp").increment()
                logger.error("bgp: originating the lease failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// `terway_edge_bgp_session_up{peer}`: 1 while Established.
    private func publishSessionGauges() async {
        while !Task.isCancelled {
            if let peers = try? await speaker.peerStatuses() {
                for peer in peers {
                    AgentMetrics.sessionUp(peer.address).record(peer.state == "Established" ? 1 : 0)
                }
            }
            try? await Task.sleep(for: pollInterval)
        }
    }
}
