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
    var export: ExportPolicy?
    var establishedAt: NIODeadline?
    var lastError: NotificationMessage?
    var prefixesReceived = 0
    /// RFC 4724 receiver side: the peer restarted; these of its routes are stale until it
    /// re-announces them, sends End-of-RIB, or its restart time runs out.
    var stale: [AddressFamily: Set<RIBPrefix>] = [:]
    var staleTimer: Scheduled<Void>?

    init(config: PeerConfig, peerID: PeerID, settings: SessionFSM.Settings) {
        self.config = config
        self.peerID = peerID
        self.settings = settings
        primary = PeerConnection(origin: config.passive ? .incoming : .outgoing, settings: settings)
    }

    var isEstablished: Bool { primary.fsm.state == .established }

    /// Both connections, the primary first.
    var connections: [PeerConnection] { [primary] + (secondary.map { [$0] } ?? []) }

    func connection(for channel: Channel) -> PeerConnection? {
        connections.first { $0.channel === channel }
    }
}
