/// A NOTIFICATION as the FSM sees it: code, subcode and data (RFC 4271 §4.5). The Speaker
/// turns it into the codec's message.
public struct SessionNotice: Sendable, Hashable {
    public var code: UInt8
    public var subcode: UInt8
    public var data: [UInt8]

    public init(code: UInt8, subcode: UInt8, data: [UInt8] = []) {
        self.code = code
        self.subcode = subcode
        self.data = data
    }

    public static let holdTimerExpired = SessionNotice(code: 4, subcode: 0)
    /// RFC 6608 subcodes: an unexpected message in OpenSent (1), OpenConfirm (2), Established (3).
    public static func finiteStateMachineError(in state: SessionState) -> SessionNotice {
        let subcode: UInt8 = switch state {
        case .openSent: 1
        case .openConfirm: 2
        case .established: 3
        default: 0
        }
        return SessionNotice(code: 5, subcode: subcode)
    }
    /// RFC 4486 Cease subcodes.
    public static let maximumPrefixesReached = SessionNotice(code: 6, subcode: 1)
    public static let administrativeShutdown = SessionNotice(code: 6, subcode: 2)
    public static let connectionRejected = SessionNotice(code: 6, subcode: 5)
    public static let connectionCollisionResolution = SessionNotice(code: 6, subcode: 7)
    public static let badPeerAS = SessionNotice(code: 2, subcode: 2)
    public static let badBGPIdentifier = SessionNotice(code: 2, subcode: 3)
    public static let unacceptableHoldTime = SessionNotice(code: 2, subcode: 6)
}
