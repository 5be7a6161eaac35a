/// One check of `terway-edge doctor`: what was checked, whether it holds, what was seen,
/// and for a problem the fix. The JSON has exactly these keys (`fix` null when ok).
public struct DoctorFinding: Codable, Sendable, Equatable {
    /// A stable name: `kernel.nexthop`, `sysctl.ip_forward`, `cni.conflist`, ...
    public var check: String
    public var ok: Bool
    public var detail: String
    public var fix: String?

    public static func ok(_ check: String, _ detail: String) -> DoctorFinding {
        DoctorFinding(check: check, ok: true, detail: detail, fix: nil)
    }

    public static func problem(_ check: String, _ detail: String, fix: String) -> DoctorFinding {
        DoctorFinding(check: check, ok: false, detail: detail, fix: fix)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(check, forKey: .check)
        try container.encode(ok, forKey: .ok)
        try container.encode(detail, forKey: .detail)
        try container.encode(fix, forKey: .fix)
    }
}
