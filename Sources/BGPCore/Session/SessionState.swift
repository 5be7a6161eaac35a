/// The six states of RFC 4271 §8.2.2, named as the RFC (and `bgp peers`) spells them.
public enum SessionState: String, Sendable, Hashable, CaseIterable, Codable {
    case idle = "Idle"
    case connect = "Connect"
    case active = "Active"
    case openSent = "OpenSent"
    case openConfirm = "OpenConfirm"
    case established = "Established"
}
