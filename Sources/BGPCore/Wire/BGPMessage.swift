/// One BGP message (RFC 4271 §4), decoded. The 19-octet header is implied: encoding adds it,
/// decoding checks and strips it.
public enum BGPMessage: Hashable, Sendable {
    case open(OpenMessage)
    case update(UpdateMessage)
    case notification(NotificationMessage)
    case keepalive
    case routeRefresh(RouteRefreshMessage)

    public var type: BGPMessageType {
        switch self {
        case .open: .open
        case .update: .update
        case .notification: .notification
        case .keepalive: .keepalive
        case .routeRefresh: .routeRefresh
        }
    }
}

/// The header's type octet.
public enum BGPMessageType: UInt8, Hashable, Sendable, CustomStringConvertible {
    case open = 1
    case update = 2
    case notification = 3
    case keepalive = 4
    case routeRefresh = 5

    public var description: String {
        switch self {
        case .open: "OPEN"
        case .update: "UPDATE"
        case .notification: "NOTIFICATION"
        case .keepalive: "KEEPALIVE"
        case .routeRefresh: "ROUTE-REFRESH"
        }
    }
}

/// Sizes fixed by RFC 4271 §4.1.
public enum BGPHeader {
    public static let length = 19
    public static let maxMessageLength = 4096
    /// RFC 8654, once both sides have the Extended Message capability.
    public static let maxExtendedMessageLength = 65535
    public static let markerLength = 16
}
