/// What the FSM asks its driver to do, in order (RFC 4271 §8.2.2's actions as values).
public enum SessionAction: Sendable, Hashable {
    /// Initiate a TCP connection to the peer.
    case connect
    case sendOpen
    case sendKeepalive
    case sendNotification(NotificationMessage)
    /// Close the TCP connection.
    case dropConnection
    case startTimer(SessionTimer, seconds: UInt32)
    case stopTimer(SessionTimer)
    /// The session reached Established with this negotiated hold time (0: no keepalives).
    case established(holdTime: UInt16)
    /// The session is gone: release what it held (RFC 4271's "releases all BGP resources").
    /// `graceful` is true when the session ended without a NOTIFICATION (RFC 4724 §4.2).
    case releaseResources(graceful: Bool)
}
