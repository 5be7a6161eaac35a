import BGPCore
import NetworkCore

/// Operator commands on one peer at run time (`terway-edge bgp clear|disable|enable`).
public enum PeerCommand: String, Sendable {
    /// Reset the session (Cease 6/4, Administrative Reset); it comes back after the first
    /// step of the idle hold (the backoff starts afresh).
    case clear
    /// End the session (Cease 6/2, Administrative Shutdown) and keep it down, refusing the
    /// peer's connections, until `enable`.
    case disable
    /// Start a disabled session again.
    case enable
}

extension BGPSpeaker {
    public func control(_ command: PeerCommand, peer address: IPAddress) async throws {
        try await loop.submit { () throws -> Void in
            guard let session = self.sessions.first(where: { $0.config.address == address }) else {
                throw SpeakerError.unknownPeer(address.description)
            }
            switch command {
            case .clear:
                session.failures = 0
                self.log("peer \(address): cleared by the operator")
                if session.isEstablished || session.primary.channel != nil {
                    for connection in session.connections {
                        self.handle(.updateError(.cease(.administrativeReset)), session: session, connection: connection)
                    }
                } else {
                    self.handle(.manualStop, session: session, connection: session.primary)
                    self.handle(.manualStart, session: session, connection: session.primary)
                }
            case .disable:
                self.log("peer \(address): disabled by the operator")
                for connection in session.connections {
                    self.handle(.manualStop, session: session, connection: connection)
                }
            case .enable:
                self.log("peer \(address): enabled by the operator")
                session.failures = 0
                self.handle(.manualStart, session: session, connection: session.primary)
            }
        }.get()
    }
}
