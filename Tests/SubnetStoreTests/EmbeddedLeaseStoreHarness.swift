import Foundation
@testable import SubnetStore
import TestSupport

/// A lease database file in a fresh temporary folder.
struct EmbeddedLeaseStoreHarness: LeaseStoreHarness {
    let directory: TemporaryDirectory
    var path: String { directory.file("leases.db") }
    var shortTTL: Duration { .milliseconds(1500) }
    var expirySlack: Duration { .milliseconds(500) }

    init() throws { directory = try TemporaryDirectory("te-leases") }

    func openStore(pools: [NodeSubnetAllocator]) throws -> any LeaseStore {
        try openStore(pools: pools, report: LeaseStoreReport.toStandardError)
    }

    func openStore(pools: [NodeSubnetAllocator], report: @escaping @Sendable (LeaseStoreReport) -> Void) throws -> any LeaseStore {
        // A small reclaim margin: the expiry checks wait out TTL plus `expirySlack`.
        try EmbeddedLeaseStore(path: path, options: LeaseStoreOptions(pools: pools, expiryMargin: .milliseconds(100), report: report),
                               pollInterval: .milliseconds(20))
    }

    /// Appends a log line as a foreign writer would (with a valid checksum, so the store
    /// must judge the record itself, not dismiss it as a torn append).
    func writeRawRecord(node: String, bytes: [UInt8]) throws {
        var contents = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data(LeaseDatabase.header(generation: "1", revision: 1))
        contents += Data(LeaseDatabase.line(revision: 99, payload: bytes))
        try contents.write(to: URL(fileURLWithPath: path))
    }
}
