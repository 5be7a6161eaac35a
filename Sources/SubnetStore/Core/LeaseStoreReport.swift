import Foundation

/// Something a store worked around rather than failed on, for logs and metrics.
public enum LeaseStoreReport: Sendable, CustomStringConvertible {
    /// A stored record no reader can use (too large, a stray key, a newer version, damaged):
    /// left out of lists and watches; its subnets stay protected by the store's own guard.
    case skippedRecord(LeaseStoreError)
    /// A watch lost its stream and retries in `retryIn`; `sinceLastEvent` is how long the
    /// watcher has had no news from the store, `failures` how many attempts failed in a row.
    case watchRetry(store: String, error: String, failures: Int, sinceLastEvent: Duration, retryIn: Duration)

    public var description: String {
        switch self {
        case .skippedRecord(let error): "skipped: \(error)"
        case let .watchRetry(store, error, failures, since, retry):
            "watch of \(store) failed (\(failures) in a row, no news for \(String(format: "%.1f", since.timeInterval)) s): \(error); retrying in \(String(format: "%.1f", retry.timeInterval)) s"
        }
    }

    public static let toStandardError: @Sendable (LeaseStoreReport) -> Void = { report in
        FileHandle.standardError.write(Data("terway-edge leases: \(report)\n".utf8))
    }
}
