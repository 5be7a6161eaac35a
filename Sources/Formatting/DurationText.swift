/// Whole seconds as people read them in a table, in one of the two styles operators know:
/// `compact` like kubectl's ages (`59m58s`, `2h0m`, `3d4h`: two units at most) for lease
/// countdowns, `clock` like BIRD's and FRR's session uptimes (`02:03:04`, `1d 02:03:04`).
/// Negative durations read as their magnitude: the caller says "ago".
public enum DurationText {
    public enum Style: Sendable {
        case compact
        case clock
    }

    public static func format(seconds: Int, _ style: Style) -> String {
        let total = seconds.magnitude
        let (days, hours, minutes, secs) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60)
        switch style {
        case .compact:
            if days > 0 { return "\(days)d\(hours)h" }
            if hours > 0 { return "\(hours)h\(minutes)m" }
            if minutes > 0 { return "\(minutes)m\(secs)s" }
            return "\(secs)s"
        case .clock:
            let clock = [hours, minutes, secs].map(twoDigits).joined(separator: ":")
            return days > 0 ? "\(days)d \(clock)" : clock
        }
    }

    private static func twoDigits(_ value: UInt) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
