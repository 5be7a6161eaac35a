/// What the receiver must do about a malformed message (RFC 7606 §2).
public enum BGPErrorAction: Hashable, Sendable, CustomStringConvertible {
    /// Send the NOTIFICATION and close the session (RFC 4271 §6).
    case sessionReset
    /// Keep the session; withdraw every prefix the UPDATE carried, reachable ones included.
    case treatAsWithdraw
    /// Keep the session and the routes; drop only the faulty attribute.
    case attributeDiscard

    public var description: String {
        switch self {
        case .sessionReset: "session-reset"
        case .treatAsWithdraw: "treat-as-withdraw"
        case .attributeDiscard: "attribute-discard"
        }
    }
}
