/// Which of two connections to the same peer survives (RFC 4271 §6.8).
public enum ConnectionOrigin: String, Sendable, Hashable {
    /// We connected to the peer.
    case outgoing
    /// The peer connected to us.
    case incoming
}

public enum CollisionDetection {
    /// The connection initiated by the speaker with the higher BGP Identifier is kept; the
    /// identifiers compare as unsigned 32-bit integers in host byte order.
    public static func survivor(localIdentifier: UInt32, remoteIdentifier: UInt32) -> ConnectionOrigin {
        localIdentifier < remoteIdentifier ? .incoming : .outgoing
    }
}
