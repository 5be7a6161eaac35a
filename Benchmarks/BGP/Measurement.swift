import Foundation

/// One receiver's (or sender's) result: seconds until the whole table arrived (nil when
/// the cap ran out first, with the count reached) and its resident memory.
struct Measurement {
    let name: String
    let seconds: Double?
    let cap: Double
    let reached: Int
    let rssBytes: Int
    let peakRSSBytes: Int
    /// Why there is no measurement at all (the receiver did not start, ...).
    var failure: String? = nil
    /// Seconds from the session's end until the receiver held none of the table (kernel rows).
    var removalSeconds: Double? = nil
    /// VmHWM once the table is gone: the withdrawal of a full table can cost more than its arrival.
    var peakWithRemovalBytes: Int? = nil

    static func failed(_ name: String, _ error: any Error) -> Measurement {
        Measurement(name: name, seconds: nil, cap: 0, reached: 0, rssBytes: 0, peakRSSBytes: 0,
                    failure: "\(error)".split(separator: "\n").first.map(String.init) ?? "failed")
    }

    var timeText: String {
        if let failure { return "failed: \(failure.prefix(60))" }
        return seconds.map { String(format: "%.2f s", $0) } ?? String(format: "> %.0f s (%d prefixes)", cap, reached)
    }

    var removalText: String { removalSeconds.map { String(format: "%.2f s", $0) } ?? "-" }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.0f MB", Double(bytes) / 1_048_576) }

    /// VmRSS and VmHWM (peak) of `pid` from /proc, in bytes.
    static func memory(of pid: Int32) -> (rss: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return (field("VmRSS:"), field("VmHWM:"))
    }

    /// Polls `count` until it falls to 0 or `cap` seconds pass since `start`.
    static func waitEmpty(since start: Date, cap: Double, interval: Double, count: () throws -> Int) -> Double? {
        while Date().timeIntervalSince(start) < cap {
            if let left = try? count(), left == 0 { return Date().timeIntervalSince(start) }
            usleep(useconds_t(interval * 1_000_000))
        }
        return nil
    }

    /// Polls `count` until it reaches `target` or `cap` seconds pass since `start`.
    static func wait(for target: Int, since start: Date, cap: Double, interval: Double,
                     count: () throws -> Int) -> (seconds: Double?, reached: Int) {
        var reached = 0
        while Date().timeIntervalSince(start) < cap {
            reached = (try? count()) ?? reached
            if reached >= target { return (Date().timeIntervalSince(start), reached) }
            usleep(useconds_t(interval * 1_000_000))
        }
        return (nil, reached)
    }
}
