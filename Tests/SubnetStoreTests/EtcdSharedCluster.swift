import Foundation
import SubnetStore
import TestSupport

/// One 3-member etcd cluster shared by the tests that run at the same time: started by the
/// first user, stopped (by PID) when the last one is done. Each test works under its own
/// key prefix, so they do not see each other.
actor EtcdSharedCluster {
    static let shared = EtcdSharedCluster()

    private var cluster: EtcdCluster?
    private var users = 0

    func acquire() throws -> EtcdCluster {
        if let cluster {
            users += 1
            return cluster
        }
        let started = try EtcdCluster(size: 3)
        cluster = started
        users = 1
        return started
    }

    func release() {
        users -= 1
        if users == 0 {
            cluster?.stopAll()
            cluster = nil
        }
    }

    /// Runs `body` with the cluster held.
    static func with<T: Sendable>(_ body: (EtcdCluster) async throws -> T) async throws -> T {
        let cluster = try await shared.acquire()
        do {
            let result = try await body(cluster)
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }
}

/// A fresh prefix on an etcd cluster: an empty backend for one conformance check.
struct EtcdLeaseStoreHarness: LeaseStoreHarness {
    let cluster: EtcdCluster
    let prefix = "/te-\(UInt64.random(in: 0...UInt64.max))"
    var shortTTL: Duration { .seconds(3) }
    /// etcd's lease checker runs every 500 ms and grants at least 2 s (its minimum TTL).
    var expirySlack: Duration { .milliseconds(1500) }

    /// The store URL, with the TLS files when the cluster speaks HTTPS.
    var url: String {
        let tls = cluster.certificates.map { "?ca=\($0.caFile)&cert=\($0.clientCertificateFile)&key=\($0.clientKeyFile)" } ?? ""
        return "etcd://\(cluster.storeAuthority)\(prefix)\(tls)"
    }

    func openStore(pools: [NodeSubnetAllocator]) throws -> any LeaseStore {
        try openStore(pools: pools, report: LeaseStoreReport.toStandardError)
    }

    func openStore(pools: [NodeSubnetAllocator], report: @escaping @Sendable (LeaseStoreReport) -> Void) throws -> any LeaseStore {
        try EtcdLeaseStore(url: LeaseStoreURL(parsing: url), options: LeaseStoreOptions(pools: pools, report: report))
    }

    /// Puts raw bytes at the node's lease key with etcdctl, as a foreign writer would.
    func writeRawRecord(node: String, bytes: [UInt8]) throws {
        try run(cluster.etcdctl(["put", "\(prefix)/leases/\(node)"]),
                stdin: String(decoding: bytes, as: UTF8.self), environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"])
    }
}
