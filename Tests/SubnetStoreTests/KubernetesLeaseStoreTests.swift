import Foundation
import NetworkCore
@testable import SubnetStore
import Testing
import TestSupport

/// The Kubernetes store against `KubernetesAPIServer` on 127.0.0.1, with a real token file.
@Suite struct KubernetesLeaseStoreTests {
    /// A server (HTTPS: a bearer token never travels in clear) with a few Nodes, a token
    /// file and a way to open clients of it.
    struct Cluster {
        let server: KubernetesAPIServer
        let directory: TemporaryDirectory
        let certificates: TestCertificates

        init() async throws {
            directory = try TemporaryDirectory("te-k8s")
            let token = "eyJhbGciOiJSUzI1NiJ9.te-\(UInt32.random(in: 0...UInt32.max))"
            try directory.write("token", token + "\n")
            certificates = try TestCertificates()
            server = try await KubernetesAPIServer(token: token, certificates: certificates)
            server.addNode("edge-1", podCIDRs: ["10.0.1.0/24"])
            server.addNode("edge-2", podCIDRs: ["10.0.2.0/24", "fd00:10:0:2::/64"], internalIP: "192.168.10.6")
            server.addNode("edge-new", podCIDRs: [])
        }

        func store(pools: [String] = ["10.0.0.0/16"], clock: @escaping @Sendable () -> Date = { Date() }) throws -> KubernetesLeaseStore {
            let allocators = try pools.map { try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: $0), subnetLength: $0.contains(":") ? 64 : 24) }
            return try KubernetesLeaseStore(url: LeaseStoreURL(parsing: "\(server.url)?ca=\(certificates.caFile)&token=\(directory.file("token"))"),
                                            options: LeaseStoreOptions(pools: allocators, clock: clock))
        }
    }

    static func request(_ node: String, ttl: Duration = .seconds(600), data: [String: String] = [:]) -> LeaseRequest {
        // The Node's InternalIP: edge-2 was registered with 192.168.10.6, the others with .5.
        LeaseRequest(node: node, nodeAddress: IPAddress(node == "edge-2" ? "192.168.10.6" : "192.168.10.5")!, domain: .edge,
                     ttl: ttl, backendData: data)
    }

    static func storeError(_ body: () async throws -> Void) async -> LeaseStoreError? {
        do { try await body() } catch let error as LeaseStoreError { return error } catch {
            Issue.record("expected a LeaseStoreError, got \(error)")
            return nil
        }
        Issue.record("expected a LeaseStoreError, nothing was thrown")
        return nil
    }

    @Test func acquireTakesThePodCIDRsAndWritesTheAnnotation() async throws {
        let cluster = try await Cluster()
        let store = try cluster.store(pools: ["10.0.0.0/16", "fd00:10::/48"])
        let first = try await store.acquire(Self.request("edge-2", data: ["bgp.router-id": "192.168.10.6"]))
        #expect(first.subnets.map(\.description) == ["10.0.2.0/24", "fd00:10:0:2::/64"])
        let annotation = try #require(cluster.server.annotation("edge-2", KubernetesLeaseStore.annotation))
        #expect(try LeaseRecordCodec.decode(Array(annotation.utf8), key: "a", revision: first.revision) == first)
        let again = try await store.acquire(Self.request("edge-2", data: ["bgp.router-id": "192.168.10.6"]))
        #expect(again.acquiredAt == first.acquiredAt && again.revision > first.revision)
        #expect(try await store.get(node: "edge-2") == again)
        // Another agent process (a new client) sees the same lease and keeps its start.
        let restarted = try cluster.store(pools: ["10.0.0.0/16", "fd00:10::/48"])
        #expect(try await restarted.acquire(Self.request("edge-2", data: ["bgp.router-id": "192.168.10.6"])).acquiredAt == first.acquiredAt)
        #expect(try await restarted.list().map(\.node) == ["edge-2"])
        #expect(cluster.server.requests.contains { $0.hasPrefix("PATCH /api/v1/nodes/edge-2") })
        await store.close()
        await restarted.close()
        await cluster.server.stop()
    }

    @Test func theStoreNeverAllocates() async throws {
        let cluster = try await Cluster()
        let store = try cluster.store()
        let pending = await Self.storeError { _ = try await store.acquire(Self.request("edge-new")) }
        guard case .unavailable(_, let reason) = pending else { Issue.record("got \(String(describing: pending))"); return }
        #expect(reason.contains("kube-controller-manager") && reason.contains("never allocates"))
        guard case .invalidRequest(_, let absent) = await Self.storeError({ _ = try await store.acquire(Self.request("edge-absent")) }) else {
            Issue.record("acquiring for a Node that does not exist must be refused"); return
        }
        #expect(absent.contains("no Node 'edge-absent'"))
        #expect(await Self.storeError { _ = try await store.renew(node: "edge-absent", ttl: .seconds(60)) } == .notFound(node: "edge-absent"))
        let elsewhere = try cluster.store(pools: ["172.16.0.0/16"])
        guard case .badConfiguration = await Self.storeError({ _ = try await elsewhere.acquire(Self.request("edge-1")) }) else {
            Issue.record("a podCIDR outside the pools must be refused"); return
        }
        #expect(cluster.server.annotation("edge-new", KubernetesLeaseStore.annotation) == nil)
        #expect(cluster.server.annotation("edge-1", KubernetesLeaseStore.annotation) == nil)
        await cluster.server.stop()
    }

    @Test func listsAreReadInPages() async throws {
        let cluster = try await Cluster()
        for index in 3..<12 { cluster.server.addNode("edge-\(index)", podCIDRs: ["10.0.\(index).0/24"]) }
        let store = try cluster.store()
        for index in [1, 2, 3, 7, 11] { _ = try await store.acquire(Self.request("edge-\(index)")) }
        let nodes = try await store.client.nodes(pageSize: 4)
        #expect(nodes.items.count == 12 && Set(nodes.items.map(\.name)).count == 12)
        #expect(cluster.server.requests.filter { $0 == "GET /api/v1/nodes (next page)" }.count == 2)
        #expect(try await store.list().map(\.node) == ["edge-1", "edge-11", "edge-2", "edge-3", "edge-7"])
        await cluster.server.stop()
    }

    @Test func conflictsAreRetriedThenReported() async throws {
        let cluster = try await Cluster()
        let store = try cluster.store()
        cluster.server.failNextPatches(3)
        #expect(try await store.acquire(Self.request("edge-1")).subnets.map(\.description) == ["10.0.1.0/24"])
        cluster.server.failNextPatches(1000)
        #expect(await Self.storeError { _ = try await store.renew(node: "edge-1", ttl: .seconds(60)) }
                == .conflict(key: "node/edge-1", attempts: KubernetesLeaseStore.maxAttempts))
        cluster.server.failNextPatches(0)
        await cluster.server.stop()
    }

    /// Issue 16: a node renews only its own lease; another machine under the same node name
    /// (a cloned image) is refused, naming both, and the lease is left as it was.
    @Test func renewingAnotherMachinesLeaseIsRefused() async throws {
        let cluster = try await Cluster()
        let store = try cluster.store()
        var request = Self.request("edge-1")
        request.owner = "3d1219c7c4c5404aaa1f6d2a48adfd01"
        let held = try await store.acquire(request)
        let clone = "9f0c1219c7c4c5404aaa1f6d2a48adfd"
        #expect(await Self.storeError { _ = try await store.renew(node: "edge-1", ttl: .seconds(900), owner: clone) }
                == .ownedElsewhere(node: "edge-1", owner: request.owner, requester: clone))
        #expect(try await store.get(node: "edge-1") == held, "the refused renewal patched nothing")
        let renewed = try await store.renew(node: "edge-1", ttl: .seconds(900), owner: request.owner)
        #expect(renewed.owner == request.owner && renewed.expiresAt > held.expiresAt)
        await store.close()
        await cluster.server.stop()
    }

    @Test func renewReleaseAndExpiry() async throws {
        let cluster = try await Cluster()
        // The cluster's time moves: the API server's Date headers, which the store goes by.
        let offset = OffsetClock()
        cluster.server.clock = offset.now
        let store = try cluster.store(clock: offset.now)
        let lease = try await store.acquire(Self.request("edge-1", ttl: .seconds(60)))
        offset.advance(10)
        let renewed = try await store.renew(node: "edge-1", ttl: .seconds(60))
        #expect(renewed.subnets == lease.subnets && renewed.expiresAt > lease.expiresAt)
        offset.advance(120)
        #expect(await Self.storeError { _ = try await store.renew(node: "edge-1", ttl: .seconds(60)) } == .leaseExpired(node: "edge-1"))
        // Coming back after expiry: the Node still has its podCIDR, so the same subnet, a new start.
        let back = try await store.acquire(Self.request("edge-1"))
        #expect(back.subnets == lease.subnets && back.acquiredAt > lease.acquiredAt)
        #expect(try await store.release(node: "edge-1") == back)
        #expect(try await store.get(node: "edge-1") == nil)
        #expect(try await store.release(node: "edge-1") == nil)
        #expect(try await store.release(node: "edge-absent") == nil)
        await cluster.server.stop()
    }

    /// Issue 16 item 2: a damaged annotation is skipped (and reported) by list, not fatal to it.
    @Test func corruptAndForeignAnnotationsAreSkippedAndClearErrors() async throws {
        let cluster = try await Cluster()
        let store = try cluster.store()
        let first = try await store.acquire(Self.request("edge-1"))
        cluster.server.setAnnotation("edge-2", KubernetesLeaseStore.annotation, #"{"kind":"TerwayEdgeLease","version":1,"node":"edge-2""#)
        #expect(try await store.list() == [first])
        guard case .corruptRecord(let key, _) = await Self.storeError({ _ = try await store.get(node: "edge-2") }) else {
            Issue.record("expected corruptRecord"); return
        }
        #expect(key.contains("edge-2"))
        // A record copied from another Node.
        let copied = try #require(cluster.server.annotation("edge-1", KubernetesLeaseStore.annotation))
        cluster.server.setAnnotation("edge-2", KubernetesLeaseStore.annotation, copied)
        guard case .corruptRecord(_, let reason) = await Self.storeError({ _ = try await store.get(node: "edge-2") }) else {
            Issue.record("expected corruptRecord"); return
        }
        #expect(reason.contains("edge-1"))
        // The Node's own lease is untouched and still readable.
        #expect(try await store.get(node: "edge-1")?.subnets.map(\.description) == ["10.0.1.0/24"])
        await cluster.server.stop()
    }

    @Test func aWrongTokenIsRefused() async throws {
        let cluster = try await Cluster()
        try cluster.directory.write("token", "not-the-token")
        let error = await Self.storeError { _ = try await cluster.store().list() }
        guard case .unavailable(_, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.contains("401"))
        await cluster.server.stop()
    }

    /// Every kind of change reaches a watcher; Node heartbeats do not; 410 Gone (as a watch
    /// ERROR event and as an HTTP status) makes it re-list and report what it missed.
    @Test func watchFollowsChangesAndReListsOnGone() async throws {
        let cluster = try await Cluster()
        let writer = try cluster.store()
        _ = try await writer.acquire(Self.request("edge-1"))
        let watcher = try cluster.store()
        let events = LeaseEventCollector(try await watcher.watch())
        _ = try await events.next("added", node: "edge-1")
        _ = try await writer.acquire(Self.request("edge-2"))
        _ = try await events.next("added", node: "edge-2")
        cluster.server.heartbeat("edge-1")
        _ = try await writer.renew(node: "edge-1", ttl: .seconds(900))
        let renewed = try await events.next("renewed", node: "edge-1")
        #expect(await events.events.filter { $0.lease.node == "edge-1" }.map(\.kind) == ["added", "renewed"], "a heartbeat is no lease event")
        // The server ends the watch (its request timeout): the watcher goes on from where it was.
        cluster.server.endWatches()
        _ = try await writer.acquire(Self.request("edge-1", data: ["bgp.router-id": "10.9.9.9"]))
        _ = try await events.next("changed", node: "edge-1")

        // 410 as an ERROR event on the open watch, after a change the watch never carried.
        let count = await events.events.count
        try await writer.release(node: "edge-2")
        cluster.server.compactHistory(notify: false)
        cluster.server.setAnnotationUnseen("edge-1", KubernetesLeaseStore.annotation, nil)
        cluster.server.compactHistory(notify: true)
        _ = try await events.next("deleted", node: "edge-1", after: count)

        // 410 as the HTTP status of the next watch request.
        let before = await events.events.count
        _ = try await writer.acquire(Self.request("edge-1"))
        _ = try await events.next("added", node: "edge-1", after: before)
        let missed = LeaseRecordCodec.encode(renewed.lease.renewed(at: Date(), ttl: .seconds(30)))
        cluster.server.setAnnotationUnseen("edge-1", KubernetesLeaseStore.annotation, String(decoding: missed, as: UTF8.self))
        cluster.server.compactHistory(notify: false, goneAsHTTPStatus: true)
        _ = try await events.next("changed", node: "edge-1", after: before + 1)
        #expect(cluster.server.requests.filter { $0 == "GET /api/v1/nodes" }.count >= 3, "the watcher listed again")

        // Nothing in Kubernetes deletes an expired annotation: the watcher reports the expiry.
        _ = try await writer.acquire(Self.request("edge-2", ttl: .milliseconds(300)))
        _ = try await events.next("expired", node: "edge-2")
        #expect(await events.failure == nil)
        await events.stop()
        await watcher.close()
        await cluster.server.stop()
    }
}

extension KubernetesLeaseStoreTests {
    /// Inside a pod: `kubernetes://` finds the API from KUBERNETES_SERVICE_HOST/PORT and
    /// talks HTTPS with the service account's CA and token.
    @Test func inClusterOverTLS() async throws {
        let pki = try TestCertificates()
        let account = try TemporaryDirectory("te-sa")
        let token = "eyJhbGciOiJSUzI1NiJ9.in-cluster"
        try account.write("token", token)
        try account.write("ca.crt", try String(contentsOfFile: pki.caFile, encoding: .utf8))
        let server = try await KubernetesAPIServer(token: token, certificates: pki)
        server.addNode("edge-1", podCIDRs: ["10.0.1.0/24"])
        let environment = ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(server.port)]
        let client = try KubernetesClient(.inCluster(environment: environment, directory: account.path))
        let store = KubernetesLeaseStore(client: client, options: LeaseStoreOptions())
        let lease = try await store.acquire(Self.request("edge-1"))
        #expect(lease.subnets.map(\.description) == ["10.0.1.0/24"])
        let events = LeaseEventCollector(try await store.watch())
        _ = try await events.next("added", node: "edge-1")
        await events.stop()
        await store.close()
        // The same server seen with another CA: refused, and the token never sent.
        let stranger = try TestCertificates(label: "te-pki2")
        try account.write("ca.crt", try String(contentsOfFile: stranger.caFile, encoding: .utf8))
        let requests = server.requests.count
        let wary = KubernetesLeaseStore(client: try KubernetesClient(.inCluster(environment: environment, directory: account.path)),
                                        options: LeaseStoreOptions())
        let error = await Self.storeError { _ = try await wary.list() }
        #expect(error?.description.contains("TLS") == true, "\(String(describing: error))")
        #expect(server.requests.count == requests)
        await server.stop()
    }

    /// Issue 16 item 1: a watcher whose clock runs hours ahead reports no expiry of a lease
    /// that is live by the API server's clock.
    @Test func aSkewedWatcherGoesByTheServersClock() async throws {
        let cluster = try await Cluster()
        let writer = try cluster.store()
        _ = try await writer.acquire(Self.request("edge-1", ttl: .seconds(600)))
        let watcher = try cluster.store(clock: { Date().addingTimeInterval(5 * 3600) })
        let events = LeaseEventCollector(try await watcher.watch())
        _ = try await events.next("added", node: "edge-1")
        try await Task.sleep(for: .milliseconds(1500))
        #expect(await events.kinds(of: "edge-1") == ["added"], "no expiry while the lease lives by the server's clock")
        // A skewed writer stamps the server's time too: the lease does not look hours long.
        let skewedWriter = try cluster.store(clock: { Date().addingTimeInterval(5 * 3600) })
        _ = try await skewedWriter.get(node: "edge-1")
        let renewed = try await skewedWriter.renew(node: "edge-1", ttl: .seconds(600))
        #expect(abs(renewed.expiresAt.timeIntervalSinceNow - 600) < 5)
        await events.stop()
        await watcher.close()
        await writer.close()
        await skewedWriter.close()
        await cluster.server.stop()
    }

    /// A lease's address must be one of its Node's: other nodes route its pods there.
    @Test func aNodeAddressOutsideTheNodesAddressesIsRefused() async throws {
        let cluster = try await Cluster()
        let store = try cluster.store()
        let error = await Self.storeError {
            _ = try await store.acquire(LeaseRequest(node: "edge-1", nodeAddress: IPAddress("192.168.99.9")!))
        }
        guard case .invalidRequest(_, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.contains("192.168.99.9") && reason.contains("192.168.10.5"))
        await store.close()
        await cluster.server.stop()
    }

    /// Issue 16 item 6: the API server is unreachable for longer than the old give-up (five
    /// failures, about 3 s): the watch keeps retrying, reports each failure, and carries on.
    @Test func watchRetriesUntilTheServerIsBack() async throws {
        let cluster = try await Cluster()
        let proxy = try TCPProxy(upstreamPort: cluster.server.port)
        defer { proxy.stop() }
        let reports = LeaseReportCollector()
        let store = try KubernetesLeaseStore(
            url: LeaseStoreURL(parsing: "kubernetes://127.0.0.1:\(proxy.port)?ca=\(cluster.certificates.caFile)&token=\(cluster.directory.file("token"))"),
            options: LeaseStoreOptions(report: reports.sink))
        let writer = try cluster.store()
        let events = LeaseEventCollector(try await store.watch())
        proxy.mode = .answer([])   // connections accepted, then closed unanswered
        proxy.dropConnections()
        try await Task.sleep(for: .seconds(6))
        proxy.mode = .relay
        _ = try await writer.acquire(Self.request("edge-1"))
        _ = try await events.next("added", node: "edge-1", timeout: .seconds(20))
        #expect(reports.watchRetries >= 2, "each failure is reported: \(reports.all)")
        await events.stop()
        await store.close()
        await writer.close()
        await cluster.server.stop()
    }
}


extension KubernetesLeaseStoreTests {
    /// Issue 16: the lease watch asks for metadata only (the lease is an annotation), so the
    /// kubelet's status rewrites of every Node do not travel to every watcher; leases still
    /// arrive, and a re-list after 410 is metadata-only too.
    @Test func theLeaseWatchIsMetadataOnly() async throws {
        let cluster = try await Cluster()
        let writer = try cluster.store()
        _ = try await writer.acquire(Self.request("edge-1"))
        let watcher = try cluster.store()
        let events = LeaseEventCollector(try await watcher.watch())
        _ = try await events.next("added", node: "edge-1")
        _ = try await writer.acquire(Self.request("edge-2"))
        let added = try await events.next("added", node: "edge-2")
        #expect(added.lease.subnets.map(\.description) == ["10.0.2.0/24", "fd00:10:0:2::/64"])
        let partial = "application/json;as=PartialObjectMetadata"
        #expect(cluster.server.accept(ofLastRequest: { $0.hasPrefix("GET /api/v1/nodes?watch=1") })?.hasPrefix(partial + ";") == true)
        #expect(cluster.server.accept(ofLastRequest: { $0 == "GET /api/v1/nodes" })?.hasPrefix(partial + "List;") == true)
        cluster.server.setAnnotationUnseen("edge-1", KubernetesLeaseStore.annotation, nil)
        cluster.server.compactHistory(notify: true)
        _ = try await events.next("deleted", node: "edge-1")
        #expect(await events.failure == nil)
        await events.stop()
        await watcher.close()
        await writer.close()
        await cluster.server.stop()
    }

    /// Issue 16 item 3: a watch that stays open and sends nothing (no event, no bookmark: a
    /// hung API server or a dead path) is given up after the heartbeat (`heartbeat=`, 150 s
    /// by default; 1 s here), reported, and opened again; the change it hid then arrives.
    @Test func aSilentWatchIsNoticedAndReopened() async throws {
        let cluster = try await Cluster()
        let reports = LeaseReportCollector()
        let watcher = try KubernetesLeaseStore(
            url: LeaseStoreURL(parsing: "\(cluster.server.url)?ca=\(cluster.certificates.caFile)&token=\(cluster.directory.file("token"))&heartbeat=1"),
            options: LeaseStoreOptions(report: reports.sink))
        let writer = try cluster.store()
        let events = LeaseEventCollector(try await watcher.watch())
        let opened = ContinuousClock.now
        while !cluster.server.requests.contains(where: { $0.hasPrefix("GET /api/v1/nodes?watch=1") }), ContinuousClock.now - opened < .seconds(60) {
            try await Task.sleep(for: .milliseconds(20))
        }
        cluster.server.holdWatchesSilent(true)
        cluster.server.endWatches()   // the next watch the watcher opens stays silent
        try await Task.sleep(for: .milliseconds(300))
        _ = try await writer.acquire(Self.request("edge-1"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(await events.kinds(of: "edge-1").isEmpty, "nothing arrives over the silent watch")
        cluster.server.holdWatchesSilent(false)
        let clock = ContinuousClock(), start = clock.now
        _ = try await events.next("added", node: "edge-1", timeout: .seconds(10))
        let waited = clock.now - start
        #expect(waited < .seconds(3), "noticed within the heartbeat and a retry pause, not after \(waited)")
        #expect(reports.watchRetries >= 1 && reports.all.contains { "\($0)".contains("did not answer within 1.0s") },
                "the silence is reported: \(reports.all)")
        #expect(cluster.server.requests.filter { $0.hasPrefix("GET /api/v1/nodes?watch=1") }.count >= 3)
        await events.stop()
        await watcher.close()
        await writer.close()
        await cluster.server.stop()
    }
}

/// A clock a test moves forward.
final class OffsetClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offset: TimeInterval = 0

    var now: @Sendable () -> Date { { [self] in lock.withLock { Date().addingTimeInterval(offset) } } }

    func advance(_ seconds: TimeInterval) { lock.withLock { offset += seconds } }
}
