import Foundation
import Synchronization

/// The API server's clock, as its answers' `Date` headers tell it: the last one seen plus
/// the monotonic time elapsed since. Lease times written to and judged on a Kubernetes
/// store use it, so no node's or watcher's own clock decides when a lease expires.
public final class KubernetesServerTime: Sendable {
    private let last = Mutex<(date: Date, at: ContinuousClock.Instant)?>(nil)

    public init() {}

    /// Takes in an answer's `Date` header (RFC 9110 IMF-fixdate); ignores what does not parse.
    public func observe(header: String?) {
        guard let header, let date = Self.parse(header) else { return }
        last.withLock { $0 = (date, ContinuousClock.now) }
    }

    /// The server's time now; `fallback` until a `Date` header was seen.
    public func now(fallback: () -> Date) -> Date {
        guard let (date, at) = last.withLock({ $0 }) else { return fallback() }
        return date + (ContinuousClock.now - at).timeInterval
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }

    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
