/// A malformed or unacceptable message: the NOTIFICATION it calls for (code, subcode, data)
/// and the RFC 7606 action. Decoders throw it when the action is `.sessionReset`; the weaker
/// outcomes are reported inside the decoded UPDATE (`UpdateMessage.errors`).
public struct BGPMessageError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: NotificationCode
    public var subcode: UInt8
    public var data: [UInt8]
    public var action: BGPErrorAction
    /// What exactly was wrong, for logs.
    public var reason: String

    public init(code: NotificationCode, subcode: UInt8, data: [UInt8] = [],
                action: BGPErrorAction = .sessionReset, reason: String) {
        self.code = code
        self.subcode = subcode
        self.data = data
        self.action = action
        self.reason = reason
    }

    /// The NOTIFICATION to send when the action is a session reset.
    public var notification: NotificationMessage {
        NotificationMessage(code: code, subcode: subcode, data: data)
    }

    public var description: String {
        "\(notification.name) (\(code.rawValue)/\(subcode), \(action)): \(reason)"
    }

    static func header(_ subcode: HeaderErrorSubcode, data: [UInt8] = [], _ reason: String) -> BGPMessageError {
        BGPMessageError(code: .messageHeaderError, subcode: subcode.rawValue, data: data, reason: reason)
    }

    static func open(_ subcode: OpenErrorSubcode, data: [UInt8] = [], _ reason: String) -> BGPMessageError {
        BGPMessageError(code: .openMessageError, subcode: subcode.rawValue, data: data, reason: reason)
    }

    /// OPEN Message Error without a specific subcode: a parameter or capability that does
    /// not parse (RFC 4271 §6.2 leaves these to subcode 0).
    static func malformedOpen(_ reason: String) -> BGPMessageError {
        BGPMessageError(code: .openMessageError, subcode: 0, reason: reason)
    }

    static func update(_ subcode: UpdateErrorSubcode, data: [UInt8] = [],
                       action: BGPErrorAction = .sessionReset, _ reason: String) -> BGPMessageError {
        BGPMessageError(code: .updateMessageError, subcode: subcode.rawValue, data: data,
                        action: action, reason: reason)
    }
}
