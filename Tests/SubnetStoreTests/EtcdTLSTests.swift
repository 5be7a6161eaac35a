import Foundation
import NetworkCore
@testable import SubnetStore
import Testing
import TestSupport

/// The etcd store over HTTPS to an etcd member that requires client certificates
/// (`--client-cert-auth`), with a PKI made by openssl for the test.
@Suite struct EtcdTLSTests {
    @Test func leasesOverTLSWithClientCertificates() async throws {
        let pki = try TestCertificates()
        let cluster = try EtcdCluster(size: 1, certificates: pki)
        defer { cluster.stopAll() }
        let harness = EtcdLeaseStoreHarness(cluster: cluster)
        let pools = [try NodeSubnetAllocator(clusterCIDR: .init(parsing: "10.0.0.0/16"), subnetLength: 24)]
        let store = try harness.openStore(pools: pools)
        let events = LeaseEventCollector(try await store.watch())
        let lease = try await store.acquire(LeaseRequest(node: "edge-tls", nodeAddress: IPAddress("192.168.0.9")!))
        #expect(try await events.next("added", node: "edge-tls").lease == lease)
        #expect(try await store.list() == [lease])
        await events.stop()
        await store.close()

        // No client certificate: etcd ends the handshake.
        let anonymous = try EtcdLeaseStore(url: LeaseStoreURL(parsing: "etcd://\(cluster.storeAuthority)\(harness.prefix)?ca=\(pki.caFile)"),
                                           options: LeaseStoreOptions(pools: pools))
        let refused = await Self.storeError { _ = try await anonymous.list() }
        #expect(refused?.description.contains("TLS") == true, "\(String(describing: refused))")
        // A server certificate from a CA the client does not trust.
        let stranger = try TestCertificates(label: "te-pki2")
        let distrustful = try EtcdLeaseStore(
            url: LeaseStoreURL(parsing: "etcd://\(cluster.storeAuthority)\(harness.prefix)?ca=\(stranger.caFile)&cert=\(pki.clientCertificateFile)&key=\(pki.clientKeyFile)"),
            options: LeaseStoreOptions(pools: pools))
        let untrusted = await Self.storeError { _ = try await distrustful.list() }
        #expect(untrusted?.description.contains("TLS") == true, "\(String(describing: untrusted))")
        // Plain HTTP to a TLS port is refused by etcd, not mistaken for an answer.
        let plain = try EtcdLeaseStore(url: LeaseStoreURL(parsing: "etcd://\(cluster.storeAuthority)\(harness.prefix)?timeout=1"),
                                       options: LeaseStoreOptions(pools: pools))
        #expect(await Self.storeError { _ = try await plain.list() } != nil)
        #expect(throws: LeaseStoreError.self) {
            try EtcdLeaseStore(url: LeaseStoreURL(parsing: "etcd://127.0.0.1:1/x?ca=/nonexistent.pem"), options: .init())
        }
    }

    static func storeError(_ body: () async throws -> Void) async -> LeaseStoreError? {
        do { try await body() } catch let error as LeaseStoreError { return error } catch {
            Issue.record("expected a LeaseStoreError, got \(error)")
        }
        return nil
    }
}
