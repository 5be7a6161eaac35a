@testable import SubnetStore
import Testing
import TestSupport

@Suite struct LeaseStoreURLTests {
    @Test func parsesTheThreeSchemes() throws {
        let file = try LeaseStoreURL(parsing: "file:///var/lib/terway-edge/leases.db")
        #expect(file.scheme == "file" && file.endpoints.isEmpty && file.path == "/var/lib/terway-edge/leases.db")
        let etcd = try LeaseStoreURL(parsing: "etcd://10.0.0.1:2379,10.0.0.2:2379/terway-edge/leases?ca=%2Fetc%2Fca.pem&timeout=5s")
        #expect(etcd.scheme == "etcd" && etcd.endpoints == ["10.0.0.1:2379", "10.0.0.2:2379"])
        #expect(etcd.path == "/terway-edge/leases" && etcd.query == ["ca": "/etc/ca.pem", "timeout": "5s"])
        let kubernetes = try LeaseStoreURL(parsing: "kubernetes://")
        #expect(kubernetes.scheme == "kubernetes" && kubernetes.endpoints.isEmpty && kubernetes.path.isEmpty)
        #expect(try LeaseStoreURL(parsing: "ETCD://[::1]:2379/p").endpoints == ["[::1]:2379"])
    }

    @Test(arguments: ["/var/lib/leases.db", "://x", "e tcd://h/p", "file:///a%zz", "etcd://h/p?=x"])
    func refusesBadURLs(text: String) {
        #expect(throws: LeaseStoreError.self) { try LeaseStoreURL(parsing: text) }
    }

    @Test func factoryNamesTheSupportedSchemes() async {
        await #expect(throws: LeaseStoreError.badConfiguration("store scheme 'zookeeper' is not supported; use one of file, etcd, kubernetes")) {
            _ = try await LeaseStoreFactory.open(url: "zookeeper://h/p", options: LeaseStoreOptions())
        }
    }
}

/// Issue 16 item 8: a bearer token or a client key never travels in clear.
@Suite struct KubernetesCredentialsTests {
    static func store(_ url: String) throws -> KubernetesLeaseStore {
        try KubernetesLeaseStore(url: LeaseStoreURL(parsing: url), options: LeaseStoreOptions())
    }

    @Test func credentialsImplyTLS() throws {
        #expect(try Self.store("kubernetes://10.0.0.1:6443?token=/run/token").client.configuration.endpoint.tls)
        let pki = try TestCertificates()
        #expect(try Self.store("kubernetes://10.0.0.1:6443?cert=\(pki.clientCertificateFile)&key=\(pki.clientKeyFile)").client.configuration.endpoint.tls)
        #expect(try !Self.store("kubernetes://127.0.0.1:8001").client.configuration.endpoint.tls, "kubectl proxy: no credentials, plain HTTP")
    }

    /// Issue 16 item 3: how long a Kubernetes watch may stay silent: 150 s unless `heartbeat=` says.
    @Test func kubernetesWatchHeartbeat() throws {
        #expect(try Self.store("kubernetes://127.0.0.1:8001").client.configuration.watchIdleTimeout == 150)
        #expect(try Self.store("kubernetes://127.0.0.1:8001?heartbeat=1.5").client.configuration.watchIdleTimeout == 1.5)
        for bad in ["0", "-3", "soon", "7200"] {
            #expect(throws: LeaseStoreError.self) { try Self.store("kubernetes://127.0.0.1:8001?heartbeat=\(bad)") }
        }
    }

    @Test func plainHTTPWithCredentialsIsRefused() throws {
        #expect(throws: LeaseStoreError.self) { try Self.store("kubernetes://127.0.0.1:8001?token=/run/token&tls=0") }
    }
}
