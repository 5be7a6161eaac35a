import Foundation
import HTTPClient
import NetworkCore
@testable import SubnetStore
import Testing
import TestSupport

/// Issue 16 against real etcd members: overlap-proof allocation, unclear commits, silent
/// watches, watches that never give up, and fail-over past a member that answers wrongly.
@Suite(.serialized) struct EtcdHardeningTests {
    static func request(_ node: String, ttl: Duration = .seconds(600)) -> LeaseRequest {
        LeaseRequest(node: node, nodeAddress: IPAddress("192.168.20.1")!, ttl: ttl)
    }

    static func endpoint(_ member: EtcdCluster.Member) throws -> HTTPEndpoint {
        try HTTPEndpoint(parsing: member.clientURL, defaultPort: 2379)
    }

    static func port(_ member: EtcdCluster.Member) -> Int { Int(member.clientURL.split(separator: ":").last!)! }

    /// A store under `prefix` on exactly `endpoints`, with a short retry budget.
    static func store(_ endpoints: [HTTPEndpoint], prefix: String, pools: [NodeSubnetAllocator] = [],
                      retryBudget: Double = 20, options: LeaseStoreOptions? = nil) throws -> EtcdLeaseStore {
        var configuration = EtcdClient.Configuration(endpoints: endpoints)
        configuration.retryBudget = retryBudget
        configuration.requestTimeout = 1
        var options = options ?? LeaseStoreOptions()
        options.pools = pools
        return EtcdLeaseStore(client: try EtcdClient(configuration), layout: try EtcdKeyLayout(prefix: prefix), options: options)
    }

    /// Item 4: agents of /24, /25 and /26 race for one /20 from empty caches; no two leases
    /// may overlap, whatever each agent believed when it planned.
    @Test func racingAgentsOfMixedLengthsNeverOverlap() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(cluster: cluster)
            let endpoints = try cluster.members.map(Self.endpoint)
            let lengths = Array(repeating: 24, count: 6) + Array(repeating: 25, count: 6) + Array(repeating: 26, count: 6)
            let leases = try await withThrowingTaskGroup(of: Lease.self) { group in
                for (index, length) in lengths.enumerated() {
                    group.addTask {
                        // Lowest-free: every agent aims at the same addresses, the hardest race.
                        let pool = try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: "10.20.0.0/20"), subnetLength: length,
                                                           strategy: .lowestFree)
                        let store = try Self.store(endpoints, prefix: harness.prefix, pools: [pool])
                        let lease = try await store.acquire(Self.request("agent-\(index)"))
                        await store.close()
                        return lease
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(leases.count == lengths.count)
            for (i, a) in leases.enumerated() {
                for b in leases[(i + 1)...] {
                    #expect(!a.subnets[0].overlaps(b.subnets[0]), "\(a.node) \(a.subnets[0]) overlaps \(b.node) \(b.subnets[0])")
                }
            }
        }
    }

    /// Item 5: the acquire transaction reaches etcd but its answer is lost every time. The
    /// outcome is resolved by reading back; the etcd lease the record hangs on is not revoked.
    @Test func unclearCommitKeepsTheLease() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(cluster: cluster)
            let proxy = try TCPProxy(upstreamPort: Self.port(cluster.members[0]))
            defer { proxy.stop() }
            let pools = [try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: "10.21.0.0/16"), subnetLength: 24)]
            let store = try Self.store([HTTPEndpoint(host: "127.0.0.1", port: proxy.port)], prefix: harness.prefix,
                                       pools: pools, retryBudget: 2)
            proxy.mode = .dropAnswers(to: "/v3/kv/txn")
            let outcome: Result<Lease, any Error>
            do { outcome = .success(try await store.acquire(Self.request("edge-unclear"))) } catch { outcome = .failure(error) }
            proxy.mode = .relay
            let direct = try Self.store(try cluster.members.map(Self.endpoint), prefix: harness.prefix)
            // etcd's lease checker would delete keys of a revoked lease at once; give it time.
            try await Task.sleep(for: .seconds(1))
            let stored = try await direct.get(node: "edge-unclear")
            #expect(stored != nil, "the committed record was deleted by cleanup (acquire said: \(outcome))")
            if case .success(let lease) = outcome { #expect(stored?.subnets == lease.subnets) }
            await store.close()
            await direct.close()
        }
    }

    /// Item 7: a member answering 404, one answering malformed JSON: the next member serves.
    @Test(arguments: ["404", "malformed"])
    func wrongAnswersFailOver(_ kind: String) async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(cluster: cluster)
            let proxy = try TCPProxy(upstreamPort: Self.port(cluster.members[0]))
            defer { proxy.stop() }
            let body = kind == "404" ? "404 page not found\n" : "{\"header\":{\"revision\":"
            let status = kind == "404" ? "404 Not Found" : "200 OK"
            proxy.mode = .answer(Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
            let pools = [try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: "10.22.0.0/16"), subnetLength: 24)]
            let store = try Self.store([HTTPEndpoint(host: "127.0.0.1", port: proxy.port)] + cluster.members.dropFirst().map(Self.endpoint),
                                       prefix: harness.prefix, pools: pools)
            let lease = try await store.acquire(Self.request("edge-\(kind)"))
            #expect(try await store.get(node: "edge-\(kind)") == lease)
            await store.close()
        }
    }

    /// Item 7: a member whose TLS handshake fails (here: it speaks plain HTTP) is skipped.
    @Test func tlsFailureFailsOver() async throws {
        let pki = try TestCertificates()
        let cluster = try EtcdCluster(size: 1, certificates: pki)
        defer { cluster.stopAll() }
        let proxy = try TCPProxy(upstreamPort: Self.port(cluster.members[0]))
        defer { proxy.stop() }
        proxy.mode = .answer(Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8))
        let url = "etcd://127.0.0.1:\(proxy.port),\(cluster.storeAuthority)/te-tls?ca=\(pki.caFile)&cert=\(pki.clientCertificateFile)&key=\(pki.clientKeyFile)"
        let pools = [try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: "10.23.0.0/16"), subnetLength: 24)]
        let store = try EtcdLeaseStore(url: LeaseStoreURL(parsing: url), options: LeaseStoreOptions(pools: pools))
        let lease = try await store.acquire(Self.request("edge-tls"))
        #expect(try await store.get(node: "edge-tls") == lease)
        await store.close()
    }

    /// Item 3: the path to the member a watch is on goes silent (bytes stop, the connection
    /// stays open). The watcher notices within a bounded time and follows on another member.
    @Test func silentPathIsDetectedAndTheWatchMovesOn() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(cluster: cluster)
            let proxy = try TCPProxy(upstreamPort: Self.port(cluster.members[0]))
            defer { proxy.stop() }
            let endpoints = try cluster.members.map(Self.endpoint)
            let watcher = try Self.store([HTTPEndpoint(host: "127.0.0.1", port: proxy.port)] + endpoints.dropFirst(), prefix: harness.prefix)
            let pools = [try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: "10.24.0.0/16"), subnetLength: 24)]
            let writer = try Self.store(endpoints, prefix: harness.prefix, pools: pools)
            _ = try await writer.acquire(Self.request("edge-before"))
            let events = LeaseEventCollector(try await watcher.watch())
            _ = try await events.next("added", node: "edge-before")
            // A change seen live proves the watch stream itself runs through the proxy.
            _ = try await writer.acquire(Self.request("edge-live"))
            _ = try await events.next("added", node: "edge-live")
            proxy.mode = .silent
            let clock = ContinuousClock(), start = clock.now
            _ = try await writer.acquire(Self.request("edge-after"))
            _ = try await events.next("added", node: "edge-after", timeout: .seconds(30))
            print("etcd watch: silent path detected and the lease seen after \(clock.now - start)")
            await events.stop()
            await watcher.close()
            await writer.close()
        }
    }

    /// Item 3: the member a watch is on is frozen (SIGSTOP by PID): its kernel keeps the
    /// connection up, nothing else moves. The watcher moves to a live member in bounded time.
    @Test func frozenMemberIsDetectedAndTheWatchMovesOn() async throws {
        let cluster = try EtcdCluster(size: 3)
        defer { cluster.stopAll() }
        let harness = EtcdLeaseStoreHarness(cluster: cluster)
        let endpoints = try cluster.members.map(Self.endpoint)
        let watcher = try Self.store(endpoints, prefix: harness.prefix)
        let pools = [try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: "10.25.0.0/16"), subnetLength: 24)]
        let writer = try Self.store(Array(endpoints.dropFirst()), prefix: harness.prefix, pools: pools)
        _ = try await writer.acquire(Self.request("edge-before"))
        let events = LeaseEventCollector(try await watcher.watch())
        _ = try await events.next("added", node: "edge-before")
        let pid = try #require(cluster.pid(of: 0))
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        let clock = ContinuousClock(), start = clock.now
        _ = try await writer.acquire(Self.request("edge-after"))
        _ = try await events.next("added", node: "edge-after", timeout: .seconds(40))
        print("etcd watch: frozen member detected and the lease seen after \(clock.now - start)")
        await events.stop()
        await watcher.close()
        await writer.close()
    }

    /// Item 6: the only member is unreachable for longer than the old give-up; the watch
    /// keeps retrying and carries on once it is back.
    @Test func watchRetriesUntilTheMemberIsBack() async throws {
        try await EtcdSharedCluster.with { cluster in
            let harness = EtcdLeaseStoreHarness(cluster: cluster)
            let proxy = try TCPProxy(upstreamPort: Self.port(cluster.members[0]))
            defer { proxy.stop() }
            let watcher = try Self.store([HTTPEndpoint(host: "127.0.0.1", port: proxy.port)], prefix: harness.prefix, retryBudget: 1)
            let pools = [try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: "10.26.0.0/16"), subnetLength: 24)]
            let writer = try Self.store(try cluster.members.map(Self.endpoint), prefix: harness.prefix, pools: pools)
            let events = LeaseEventCollector(try await watcher.watch())
            proxy.mode = .answer([])   // connections accepted, then closed unanswered
            proxy.dropConnections()
            try await Task.sleep(for: .seconds(15))
            proxy.mode = .relay
            _ = try await writer.acquire(Self.request("edge-back"))
            _ = try await events.next("added", node: "edge-back", timeout: .seconds(20))
            await events.stop()
            await watcher.close()
            await writer.close()
        }
    }
}
