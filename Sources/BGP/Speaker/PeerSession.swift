import BGPCore
import NIOCore
import NetworkCore

/// Everything the speaker keeps about one configured peer: its connection(s), what it
/// sent us (in the RIB under `peerID`), what we sent it, and its graceful-restart state.
/// Confined to the speaker's event loop.
final class PeerSession: @unchecked Sendable {
    let config: PeerConfig
    let peerID: PeerID
    let settings: SessionFSM.Settings
    /// The connection that carries the session, or the attempt to make one.
    var primary: PeerConnection
    /// An incoming connection racing the primary until collision detection picks one.
    var secondary: PeerConnection?
    var adjRIBOut = AdjRIBOut()
    /// The prefixes whose UPDATEs wait for the channel to take them (`BGPSpeaker+Output`).
    var output = OutputQueue()
    var export: ExportPolicy?
    let importPolicy: ImportPolicy
    /// The peer's announcements the import policy refused, with the reason (`bgp routes --rejected`).
    var rejected = RejectedRoutes()
    var establishedAt: NIODeadline?
    /// The interface the session runs over, for link-local next hops in the kernel; kept
    /// after the session ends, for the routes graceful restart keeps.
    var interfaceIndex: Int32?
    var lastError: NotificationMessage?
    var prefixesReceived = 0
    /// RFC 4724 receiver side: the peer restarted; these of its routes are stale until it
    /// re-announces them, sends End-of-RIB, or its restart time runs out.
    var stale: [AddressFamily: Set<RIBPrefix>] = [:]
    var staleTimer: Scheduled<Void>?
    /// Started when the prefix limit ended the session with `action: restart`.
    var limitRestart: Scheduled<Void>?
    /// The prefix limit was reached in this session (`action: warn` logs it once).
    var limitWarned = false
    /// Session failures since the last stable session: each doubles the idle hold.
    var failures = 0
    /// The idle hold of the current wait before an automatic restart, in seconds.
    var idleHold: UInt32 = 0
    /// RFC 4724 §4.1, our restart: the R bit goes on OPENs until the first session is up.
    var announcesRestart: Bool
    /// Families whose End-of-RIB the peer sent in this session (ends our selection deferral).
    var endOfRIBReceived: Set<AddressFamily> = []
    /// The whole table and End-of-RIB went out; until then (selection deferral) no UPDATE does.
    var initialUpdateSent = false

    init(config: PeerConfig, peerID: PeerID, settings: SessionFSM.Settings, importPolicy: ImportPolicy,
         restarting: Bool) {
        self.config = config
        announcesRestart = restarting
        self.importPolicy = importPolicy
        self.peerID = peerID
        self.settings = settings
        primary = PeerConnection(origin: config.passive ? .incoming : .outgoing, settings: settings)
    }

    var isEstablished: Bool { primary.fsm.state == .established }

    /// The wait before the next automatic restart (RFC 4271 §8.1.1 DampPeerOscillations):
    /// the configured idle hold doubled per failure since the last stable session, at most
    /// `maximumIdleHold`, times a jitter of 0.75...1 (RFC 4271 §10) so that peers that
    /// failed together do not retry in step.
    func nextIdleHold(base: UInt32) -> UInt32 {
        if let since = establishedAt, NIODeadline.now() - since >= .seconds(Self.stableSeconds) { failures = 0 }
        let doubled = min(UInt64(base) << UInt64(min(failures, 16)), UInt64(Self.maximumIdleHold))
        failures += 1
        idleHold = max(1, UInt32(Double(doubled) * Double.random(in: 0.75...1)))
        return idleHold
    }

    static let maximumIdleHold: UInt32 = 300
    /// A session up this long was stable: the next failure starts the backoff afresh.
    static let stableSeconds: Int64 = 60

    /// Both connections, the primary first.
    var connections: [PeerConnection] { [primary] + (secondary.map { [$0] } ?? []) }

    func connection(for channel: Channel) -> PeerConnection? {
        connections.first { $0.channel === channel }
    }
}
