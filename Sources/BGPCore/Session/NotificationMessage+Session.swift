/// The NOTIFICATIONs the FSM itself sends (RFC 4271 §6.5, §6.6; RFC 6608; RFC 4486).
extension NotificationMessage {
    public static let holdTimerExpired = NotificationMessage(code: .holdTimerExpired, subcode: 0)

    /// An unexpected message: RFC 6608 names the state it arrived in.
    public static func finiteStateMachineError(in state: SessionState) -> NotificationMessage {
        let subcode: FSMErrorSubcode = switch state {
        case .openSent: .unexpectedMessageInOpenSent
        case .openConfirm: .unexpectedMessageInOpenConfirm
        case .established: .unexpectedMessageInEstablished
        default: .unspecified
        }
        return NotificationMessage(code: .finiteStateMachineError, subcode: subcode.rawValue)
    }
}
