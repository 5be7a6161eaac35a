import SubnetStore
import Synchronization

/// Keeps what a store reports (skipped records, watch retries), for a test to inspect.
final class LeaseReportCollector: Sendable {
    private let reports = Mutex<[LeaseStoreReport]>([])

    var all: [LeaseStoreReport] { reports.withLock { $0 } }

    /// The errors of the records reported as skipped.
    var skipped: [LeaseStoreError] {
        all.compactMap { if case .skippedRecord(let error) = $0 { error } else { nil } }
    }

    var watchRetries: Int {
        all.filter { if case .watchRetry = $0 { true } else { false } }.count
    }

    var sink: @Sendable (LeaseStoreReport) -> Void {
        { report in self.reports.withLock { $0.append(report) } }
    }
}
