import Foundation
import HTTPClient
import NetworkCore
import Synchronization

/// Leases on Kubernetes Node objects, for production clusters.
///
/// The subnets are the Node's `spec.podCIDRs` (or `spec.podCIDR`), which
/// kube-controller-manager assigns (`--allocate-node-cidrs --cluster-cidr=...`); this store
/// never allocates, and a Node without them is an error to wait on, not a subnet to invent.
/// The rest of the lease (node address, domain, times, backend data) lives in the
/// annotation `terway-edge.io/lease` as the common lease record, written with a JSON merge
/// patch that carries the Node's resourceVersion, so a concurrent writer gets 409 and retries.
/// Expiry is reported by watchers, by the API server's clock (its `Date` headers), not by
/// theirs; lease times are written by that clock too. A Node's subnets are freed by
/// Kubernetes when it is deleted.
public final class KubernetesLeaseStore: LeaseStore {
    public static let annotation = "terway-edge.io/lease"

    /// The store's API client; the agent's Node watch and status patches share it.
    public let client: KubernetesClient
    private let pools: [NodeSubnetAllocator]
    private let clock: @Sendable () -> Date
    let report: @Sendable (LeaseStoreReport) -> Void
    let name: String
    private let watches = WatchRegistry()

    static let maxAttempts = 16

    public init(client: KubernetesClient, options: LeaseStoreOptions) {
        self.client = client
        pools = options.pools
        clock = options.clock ?? { Date() }
        report = options.report
        name = "kubernetes://\(client.configuration.endpoint.host):\(client.configuration.endpoint.port)"
    }

    /// `kubernetes://` (the pod's own cluster: its service account's token and CA), or
    /// `kubernetes://host:port?ca=/path/ca.crt&token=/path/token`. HTTPS when `ca=`, `tls=1`
    /// or any credential (`token=`, `cert=`, `key=`) is given: credentials never travel in
    /// clear, and `tls=0` with a credential is refused. Plain HTTP only without credentials,
    /// e.g. to `kubectl proxy` on 127.0.0.1:8001. `heartbeat=S` (default 150): a watch
    /// silent this long (no event, no bookmark) is dropped and opened again.
    public convenience init(url: LeaseStoreURL, options: LeaseStoreOptions,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(LeaseStoreError) {
        let known = ["token", "ca", "cert", "key", "tls", "heartbeat"]
        for key in url.query.keys where !known.contains(key) {
            throw .badConfiguration("unknown kubernetes store option '\(key)'; known: \(known.joined(separator: ", "))")
        }
        let client: KubernetesClient
        do {
            var configuration: KubernetesClient.Configuration
            switch url.endpoints.count {
            case 0: configuration = try .inCluster(environment: environment)
            case 1:
                let credentials = ["token", "cert", "key"].filter { url.query[$0] != nil }
                if !credentials.isEmpty, url.query["tls"] == "0" || url.query["tls"] == "false" {
                    throw KubernetesError.configuration("\(credentials.joined(separator: "/"))= with tls=0 would send credentials in clear; credentials need TLS (give ca=, or drop tls=0 to use the system's trust roots)")
                }
                let tls = url.query["tls"] == "1" || url.query["tls"] == "true" || url.query["ca"] != nil || !credentials.isEmpty
                configuration = .init(endpoint: try HTTPEndpoint(parsing: url.endpoints[0], defaultPort: tls ? 6443 : 8001, tls: tls),
                                      tokenFile: nil)
                if tls { configuration.tls = TLSOptions(caFile: url.query["ca"]) }
            default: throw KubernetesError.configuration("one API server address, not \(url.endpoints.count)")
            }
            if let token = url.query["token"] { configuration.tokenFile = token }
            if let text = url.query["heartbeat"] {
                guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                    throw KubernetesError.configuration("heartbeat=\(text): give the seconds a watch may stay silent, more than 0 and at most 3600")
                }
                configuration.watchIdleTimeout = seconds
            }
            if url.query["cert"] != nil || url.query["key"] != nil {
                var tls = configuration.tls ?? TLSOptions()
                tls.certificateFile = url.query["cert"]
                tls.keyFile = url.query["key"]
                configuration.tls = tls
            }
            client = try KubernetesClient(configuration)
        } catch {
            throw .badConfiguration("kubernetes store '\(url)': \(error)")
        }
        self.init(client: client, options: options)
    }

    // MARK: LeaseStore

    public func acquire(_ request: LeaseRequest) async throws -> Lease {
        try request.validate()
        return try await guarded {
            try await update(node: request.node, absent: .invalidRequest(node: request.node, reason: "the cluster has no Node '\(request.node)': its kubelet registers it, this store does not create Nodes")) { node, existing, now throws(LeaseStoreError) in
                let subnets = try self.subnets(of: node)
                if let existing, !existing.owner.isEmpty, existing.owner != request.owner, !existing.isExpired(at: now) {
                    throw .ownedElsewhere(node: request.node, owner: existing.owner, requester: request.owner)
                }
                // Other nodes route this Node's pods to the lease's address: it must be the Node's.
                guard node.internalIPs.isEmpty || node.internalIPs.contains(request.nodeAddress) else {
                    throw .invalidRequest(node: request.node, reason: "node address \(request.nodeAddress) is not among Node \(node.name)'s InternalIP addresses \(node.internalIPs.map(\.description).joined(separator: ", "))")
                }
                let keeps = existing.map { $0.subnets == subnets.sorted() && !$0.isExpired(at: now) } ?? false
                let lease = Lease(node: request.node, subnets: subnets, nodeAddress: request.nodeAddress, domain: request.domain,
                                  acquiredAt: keeps ? existing!.acquiredAt : now, renewedAt: now,
                                  expiresAt: now + request.ttl.timeInterval, backendData: request.backendData,
                                  owner: request.owner)
                try LeaseRecordCodec.checkSize(of: lease)
                return lease
            }!
        }
    }

    public func renew(node name: String, ttl: Duration, owner: String) async throws -> Lease {
        try await guarded {
            try await update(node: name) { _, existing, now throws(LeaseStoreError) in
                try LeasePlanner.renewal(of: name, ttl: ttl, owner: owner, existing: existing, now: now)
            }!
        }
    }

    @discardableResult
    public func release(node name: String) async throws -> Lease? {
        try await guarded {
            var released: Lease?
            do {
                _ = try await update(node: name) { _, existing, _ throws(LeaseStoreError) in
                    released = existing
                    return nil
                }
            } catch LeaseStoreError.notFound {
                return nil // no Node, no lease
            }
            return released
        }
    }

    public func get(node name: String) async throws -> Lease? {
        try await guarded {
            try validate(name)
            return try await client.node(named: name).flatMap { try lease(of: $0) }
        }
    }

    public func list() async throws -> [Lease] {
        try await guarded { try await client.nodes().items.compactMap(readableLease).sorted { $0.node < $1.node } }
    }

    /// Nodes as metadata only: the lease is an annotation, and a watcher need not receive
    /// every Node's status (conditions, images) each time the kubelet rewrites it.
    static let watchQuery = KubernetesNodeQuery(metadataOnly: true)

    public func watch() async throws -> AsyncThrowingStream<LeaseEvent, any Error> {
        let reflector = KubernetesNodeReflector(client: client, query: Self.watchQuery, report: report)
        let list = try await guarded { try await reflector.list() }
        let view = view(of: list.items)
        let (stream, continuation) = LeaseEventStream.make(leases: view.count)
        let watch = KubernetesLeaseWatch(store: self, view: view, clock: { [self] in now() }, continuation: continuation)
        watches.start(continuation) { await watch.run(reflector, from: list.resourceVersion) }
        return stream
    }

    public func close() async {
        await watches.close()
        await client.close()
    }

    // MARK: Reading and writing Nodes

    /// Reads the Node, lets `change` decide the new lease (nil: remove the annotation) and
    /// patches it with the read resourceVersion as precondition; re-reads on 409.
    private func update(node name: String, absent: LeaseStoreError? = nil,
                        _ change: (KubernetesNode, Lease?, Date) throws(LeaseStoreError) -> Lease?) async throws -> Lease? {
        try validate(name)
        for _ in 0..<Self.maxAttempts {
            guard let node = try await client.node(named: name) else {
                throw absent ?? LeaseStoreError.notFound(node: name)
            }
            let existing = try lease(of: node)
            guard let next = try change(node, existing, now()) else {
                guard existing != nil else { return nil }
                if try await patch(node, value: nil) != nil { return nil }
                continue
            }
            if let written = try await patch(node, value: String(decoding: LeaseRecordCodec.encode(next), as: UTF8.self)) {
                var lease = next
                lease.revision = UInt64(written.resourceVersion) ?? 0
                return lease
            }
        }
        throw LeaseStoreError.conflict(key: "node/\(name)", attempts: Self.maxAttempts)
    }

    /// The patched Node, or nil when it changed since it was read (409 Conflict).
    private func patch(_ node: KubernetesNode, value: String?) async throws -> KubernetesNode? {
        let body = KubernetesJSON.annotationPatch(key: Self.annotation, value: value, resourceVersion: node.resourceVersion)
        do {
            return try await client.patchNode(named: node.name, mergePatch: body)
        } catch KubernetesError.status(let status) where status.code == 409 {
            return nil
        }
    }

    /// The Node's pod CIDRs, checked against the configured pools when there are any.
    private func subnets(of node: KubernetesNode) throws(LeaseStoreError) -> [IPPrefix] {
        guard !node.podCIDRs.isEmpty else {
            throw .unavailable(store: name, reason: "Node \(node.name) has no spec.podCIDR yet: kube-controller-manager assigns node subnets (--allocate-node-cidrs), this store never allocates; retry once it is set")
        }
        // A family without a configured pool is taken as Kubernetes assigned it.
        for cidr in node.podCIDRs where pools.contains(where: { $0.family == cidr.family })
            && !pools.contains(where: { $0.accepts(cidr) }) {
            throw .badConfiguration("Node \(node.name) has podCIDR \(cidr), which is not a node subnet of the configured pools \(pools.map(\.description).joined(separator: "; ")): the cluster CIDR of kube-controller-manager and of TerwayEdge differ")
        }
        return node.podCIDRs
    }

    /// The lease the Node's annotation holds, nil without one. The record must name this
    /// Node and its subnets must be the Node's podCIDRs (when the Node came with its spec,
    /// not as metadata only).
    func lease(of node: KubernetesNode) throws(LeaseStoreError) -> Lease? {
        guard let text = node.annotations[Self.annotation] else { return nil }
        let key = "node/\(node.name) annotation \(Self.annotation)"
        let lease = try LeaseRecordCodec.decode(Array(text.utf8), key: key, revision: UInt64(node.resourceVersion) ?? 0,
                                                expectedNode: node.name)
        guard node.podCIDRs.isEmpty || lease.subnets == node.podCIDRs.sorted() else {
            throw .corruptRecord(key: key, reason: "the record holds \(lease.subnets) but spec.podCIDRs is \(node.podCIDRs)")
        }
        return lease
    }

    /// The Node's lease; nil without one, and nil (reported) when its annotation cannot be read.
    func readableLease(of node: KubernetesNode) -> Lease? {
        do throws(LeaseStoreError) { return try lease(of: node) } catch {
            report(.skippedRecord(error))
            return nil
        }
    }

    /// The API server's time (this process's clock until the server has answered once).
    func now() -> Date {
        client.serverTime.now(fallback: clock)
    }

    private func validate(_ name: String) throws(LeaseStoreError) {
        do { try LeaseLimits.validateNodeName(name) } catch { throw .invalidRequest(node: name, reason: error.description) }
    }

    /// Node name → (annotation text, lease) for every Node with a readable lease.
    func view(of nodes: [KubernetesNode]) -> [String: KubernetesLeaseWatch.Entry] {
        var view: [String: KubernetesLeaseWatch.Entry] = [:]
        for node in nodes {
            if let lease = readableLease(of: node) { view[node.name] = .init(text: node.annotations[Self.annotation]!, lease: lease) }
        }
        return view
    }

    func guarded<T>(_ body: () async throws -> T) async throws -> T {
        guard !watches.isClosed else { throw LeaseStoreError.closed }
        do {
            return try await body()
        } catch {
            throw LeaseStoreError.wrapping(error, store: name)
        }
    }
}
