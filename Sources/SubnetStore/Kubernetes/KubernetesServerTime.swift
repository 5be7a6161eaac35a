import Foundation
import Synchronization

/// The API server's clock, as its answers' `Date` headers tell it. A header is whole
/// seconds, at or before the server's time when it answered; the estimate is the latest of
/// those lower bounds carried forward by the monotonic clock, so it never goes backwards
/// and lags the server by less than a second. Lease times written to and judged on a
/// Kubernetes store use it: no node's or watcher's own clock decides when a lease expires.
public final class KubernetesServerTime: Sendable {
    private let origin = ContinuousClock.now
    /// Server time at `origin`, in seconds since 1970: the largest lower bound seen.
    private let offset = Mutex<Double?>(nil)

    public init() {}

    /// Takes in an answer's `Date` header (RFC 9110 IMF-fixdate); ignores what does not parse.
    public func observe(header: String?) {
        guard let header, let date = Self.parse(header) else { return }
        let bound = date.timeIntervalSince1970 - (ContinuousClock.now - origin).timeInterval
        offset.withLock { $0 = max($0 ?? bound, bound) }
    }

    /// The server's time now; `fallback` until a `Date` header was seen.
    public func now(fallback: () -> Date) -> Date {
        guard let offset = offset.withLock({ $0 }) else { return fallback() }
        return Date(timeIntervalSince1970: offset + (ContinuousClock.now - origin).timeInterval)
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }

    public static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
