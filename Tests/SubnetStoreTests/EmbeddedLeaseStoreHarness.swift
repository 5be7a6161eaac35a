import Foundation
import SubnetStore
import TestSupport

/// A lease database file in a fresh temporary folder.
struct EmbeddedLeaseStoreHarness: LeaseStoreHarness {
    let directory: TemporaryDirectory
    var path: String { directory.file("leases.db") }
    var shortTTL: Duration { .milliseconds(400) }
    var expirySlack: Duration { .milliseconds(300) }

    init() throws { directory = try TemporaryDirectory("te-leases") }

    func openStore(pools: [NodeSubnetAllocator]) throws -> any LeaseStore {
        try EmbeddedLeaseStore(path: path, options: LeaseStoreOptions(pools: pools), pollInterval: .milliseconds(20))
    }

    /// Appends a line as a foreign writer would, replacing the file (new inode) like the store does.
    func writeRawRecord(node: String, bytes: [UInt8]) throws {
        var contents = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data(#"{"format":"terway-edge-leases","revision":1,"version":1}"#.utf8 + [0x0A])
        contents += Data("1 ".utf8) + Data(bytes) + Data([0x0A])
        try contents.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
