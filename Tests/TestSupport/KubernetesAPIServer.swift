import Foundation
import HTTPClient
import Netlink
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SubnetStore
import Synchronization

/// A stand-in for kube-apiserver's Nodes API on 127.0.0.1, since no API server can run here.
/// It answers with the object shapes of the API reference (Node, NodeList, Status,
/// WatchEvent), keeps a resourceVersion counter and an event history like the real server,
/// honours merge patches with a resourceVersion precondition (409), checks the bearer
/// token (401), and can compact its history so that watches get `410 Gone`, either as an
/// `ERROR` watch event (what kube-apiserver sends) or as an HTTP 410 answer. It filters by
/// equality label selectors, sends `PartialObjectMetadata` to clients that ask for metadata
/// only, patches `status.conditions` by strategic merge on `/status`, can hold its watches
/// silent, and can be stopped and started again on its port with its state (a restart).
/// It listens on the loopback of the test process's namespace, or of a `te-` namespace
/// (a node's: a `terway-edged` process or container in that namespace reaches it there,
/// and the root namespace gets no listener).
public final class KubernetesAPIServer: @unchecked Sendable {
    public let token: String
    public let port: Int
    private let tls: NIOSSLContext?
    private let namespace: NetworkNamespace?
    private let box = ServerBox()
    // JSON objects are [String: Any], which is not Sendable: one lock guards them all.
    private let lock = NSLock()
    private var stateStorage = State()

    struct State {
        var resourceVersion = 100
        var nodes: [String: [String: Any]] = [:]
        /// (resourceVersion, type, object) of every change, oldest first.
        var history: [(Int, String, [String: Any])] = []
        var compactedThrough = 0
        var goneAsHTTPStatus = false
        var watchers: [ObjectIdentifier: Watcher] = [:]
        var channel: Channel?
        var silent = false
        var requests: [String] = []
        var accepts: [String: String] = [:]
        var patchConflicts = 0
        var clock: @Sendable () -> Date = { Date() }
    }

    /// An open watch: where to write, and what it asked for.
    struct Watcher {
        var channel: Channel
        var metadataOnly: Bool
        var labels: [String: String]
        /// `metadata.name` of a `fieldSelector`, the one field selector of Nodes the agent uses.
        var name: String?
    }

    /// The server's own clock, sent as every answer's `Date`; a test may move it.
    public var clock: @Sendable () -> Date {
        get { withState { $0.clock } }
        set { withState { $0.clock = newValue } }
    }

    public var url: String { "kubernetes://127.0.0.1:\(port)" }

    /// With `certificates`, it serves HTTPS with their server certificate, as kube-apiserver does.
    /// With `namespace`, it listens on 127.0.0.1 inside it.
    public init(token: String, certificates: TestCertificates? = nil, in namespace: TestNamespace? = nil) async throws {
        self.token = token
        self.namespace = try namespace.map { try NetworkNamespace(path: $0.path) }
        tls = try certificates.map { certificates in
            try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificateFile).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKeyFile, format: .pem))))
        }
        let channel = try await Self.listen(port: 0, tls: tls, box: box, namespace: self.namespace)
        port = channel.localAddress!.port!
        withState { $0.channel = channel }
        box.server.withLock { $0 = self }
    }

    private static func listen(port: Int, tls: NIOSSLContext?, box: ServerBox, namespace: NetworkNamespace?) async throws -> Channel {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                box.connections.withLock { $0[ObjectIdentifier(channel)] = channel }
                channel.closeFuture.whenComplete { _ in _ = box.connections.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) } }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(box: box))
                }
            }
        guard let namespace else { return try await bootstrap.bind(host: "127.0.0.1", port: port).get() }
        // The socket belongs to the namespace it was created in: created on the namespace's
        // thread, then served from NIO's threads like any other.
        let socket = try namespace.run { try loopbackListener(port: port) }
        return try await bootstrap.withBoundSocket(socket).get()
    }

    /// A TCP socket bound to 127.0.0.1:`port` (0: any) in the calling thread's namespace.
    private static func loopbackListener(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestEnvironmentError("socket: errno \(errno)") }
        var one: Int32 = 1
        // A restart binds the port again while the old connections sit in TIME_WAIT.
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw TestEnvironmentError("bind 127.0.0.1:\(port): errno \(code)")
        }
        return fd
    }

    /// Closes the listener and every connection, open watches included; the Nodes and their
    /// history stay for `start()`.
    public func stop() async {
        let channel = withState { state in
            defer { state.watchers = [:]; state.channel = nil }
            return state.channel
        }
        try? await channel?.close()
        for connection in box.connections.withLock({ Array($0.values) }) { try? await connection.close() }
    }

    /// Listens again on the same port after `stop()`: the API server back from a restart.
    public func start() async throws {
        let channel = try await Self.listen(port: port, tls: tls, box: box, namespace: namespace)
        withState { $0.channel = channel }
    }

    private func withState<T>(_ body: (inout State) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&stateStorage)
    }

    // MARK: What tests do to the cluster

    /// A Node as the kubelet registers it, with podCIDRs as kube-controller-manager sets them.
    public func addNode(_ name: String, podCIDRs: [String], internalIP: String = "192.168.10.5", labels: [String: String] = [:]) {
        mutate { state in
            state.nodes[name] = Self.node(name: name, podCIDRs: podCIDRs, internalIP: internalIP, labels: labels)
            return (name, "ADDED")
        }
    }

    /// Replaces the Node's podCIDRs (a Node deleted and registered again under its name, seen
    /// as one change).
    public func setPodCIDRs(_ name: String, _ podCIDRs: [String]) {
        mutate { state in
            var spec = state.nodes[name]!["spec"] as! [String: Any]
            spec["podCIDR"] = podCIDRs.first
            spec["podCIDRs"] = podCIDRs
            state.nodes[name]!["spec"] = spec
            return (name, "MODIFIED")
        }
    }

    /// A Node registered without anyone's watch seeing it: only a re-list shows it.
    public func addNodeUnseen(_ name: String, podCIDRs: [String], internalIP: String, labels: [String: String] = [:]) {
        withState { state in
            state.resourceVersion += 1
            var node = Self.node(name: name, podCIDRs: podCIDRs, internalIP: internalIP, labels: labels)
            var metadata = node["metadata"] as! [String: Any]
            metadata["resourceVersion"] = String(state.resourceVersion)
            node["metadata"] = metadata
            state.nodes[name] = node
        }
    }

    /// The condition of `type` in the Node's status, as a client would read it.
    public func condition(_ node: String, _ type: String) -> [String: String]? {
        withState { state in
            let conditions = (state.nodes[node]?["status"] as? [String: Any])?["conditions"] as? [[String: Any]] ?? []
            return conditions.first { $0["type"] as? String == type }?.compactMapValues { $0 as? String }
        }
    }

    /// Sets a condition of the Node's status as another controller would (a cloud route
    /// controller marking the network unavailable).
    public func setCondition(_ node: String, _ type: String, status: String, reason: String) {
        mutate { state in
            var nodeStatus = state.nodes[node]!["status"] as! [String: Any]
            var conditions = nodeStatus["conditions"] as? [[String: Any]] ?? []
            let condition: [String: Any] = ["type": type, "status": status, "reason": reason, "message": reason,
                                            "lastTransitionTime": Self.timestamp(Date()), "lastHeartbeatTime": Self.timestamp(Date())]
            conditions.removeAll { $0["type"] as? String == type }
            conditions.append(condition)
            nodeStatus["conditions"] = conditions
            state.nodes[node]!["status"] = nodeStatus
            return (node, "MODIFIED")
        }
    }

    /// Silent: watches stay open and send nothing, not even their backlog (a dead path, a
    /// hung API server); changes are still kept for the next watch.
    public func holdWatchesSilent(_ silent: Bool) {
        withState { $0.silent = silent }
    }

    /// The `Accept` header of the last request whose logged line (see `requests`) matches.
    public func accept(ofLastRequest matching: (String) -> Bool) -> String? {
        withState { state in state.requests.last(where: matching).flatMap { state.accepts[$0] } }
    }

    /// The kubelet's status heartbeat: a new resourceVersion, no lease change.
    public func heartbeat(_ name: String) {
        mutate { state in
            var status = state.nodes[name]!["status"] as! [String: Any]
            var conditions = status["conditions"] as! [[String: Any]]
            conditions[0]["lastHeartbeatTime"] = Self.timestamp(Date())
            status["conditions"] = conditions
            state.nodes[name]!["status"] = status
            return (name, "MODIFIED")
        }
    }

    public func deleteNode(_ name: String) {
        mutate { state in (name, "DELETED") }
        _ = withState { $0.nodes.removeValue(forKey: name) }
    }

    /// Forgets the history up to now: watches from an older resourceVersion get 410. With
    /// `notify`, open watches get the `ERROR` event at once (kube-apiserver's watch cache
    /// does this when it falls behind); without, they are just ended, and the 410 comes
    /// when the client watches again: as an `ERROR` event, or with `goneAsHTTPStatus` as
    /// the HTTP status of the answer.
    public func compactHistory(notify: Bool, goneAsHTTPStatus: Bool = false) {
        let (watchers, line) = withState { state in
            state.compactedThrough = state.resourceVersion
            state.history.removeAll()
            state.goneAsHTTPStatus = goneAsHTTPStatus
            defer { state.watchers = [:] }
            return (Array(state.watchers.values), Self.goneEvent(state.resourceVersion))
        }
        for watcher in watchers.map(\.channel) {
            if notify { watcher.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: line))), promise: nil) }
            watcher.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        }
    }

    /// Sets an annotation as another client would, but loses the event: only a re-list shows it.
    public func setAnnotationUnseen(_ node: String, _ key: String, _ value: String?) {
        withState { state in
            var object = state.nodes[node]!
            var metadata = object["metadata"] as! [String: Any]
            var annotations = metadata["annotations"] as? [String: Any] ?? [:]
            annotations[key] = value
            metadata["annotations"] = annotations
            state.resourceVersion += 1
            metadata["resourceVersion"] = String(state.resourceVersion)
            object["metadata"] = metadata
            state.nodes[node] = object
        }
    }

    /// Sets an annotation with a normal change event (a foreign writer, bit rot).
    public func setAnnotation(_ node: String, _ key: String, _ value: String?) {
        setAnnotationUnseen(node, key, value)
        withState { state in
            state.history.append((state.resourceVersion, "MODIFIED", state.nodes[node]!))
        }
    }

    /// Ends every open watch (kube-apiserver does after --min-request-timeout).
    public func endWatches() {
        let watchers = withState { state in
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil) }
    }

    /// The next `count` patches answer 409 Conflict, as if another writer won.
    public func failNextPatches(_ count: Int) { withState { $0.patchConflicts = count } }

    public func annotation(_ node: String, _ key: String) -> String? {
        withState { (($0.nodes[node]?["metadata"] as? [String: Any])?["annotations"] as? [String: String])?[key] }
    }

    public var requests: [String] { withState { $0.requests } }

    // MARK: Serving

    fileprivate func respond(method: String, uri: String, headers: HTTPHeaders, body: [UInt8], channel: Channel) {
        // Lists are logged as "GET /api/v1/nodes", later pages as "... (next page)".
        let isList = method == "GET" && uri.hasPrefix("/api/v1/nodes?") && !uri.contains("watch=1")
        let logged = !isList ? "\(method) \(uri)" : uri.contains("continue=") ? "GET /api/v1/nodes (next page)" : "GET /api/v1/nodes"
        withState { state in
            state.requests.append(logged)
            state.accepts[logged] = headers["Accept"].first ?? ""
        }
        guard headers["Authorization"].first == "Bearer \(token)" else {
            return reply(channel, 401, Self.status(401, "Unauthorized", "Unauthorized"))
        }
        let (path, query) = uri.split(separator: "?", maxSplits: 1).map(String.init).splitPair
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1", parts[2] == "nodes" else {
            return reply(channel, 404, Self.status(404, "NotFound", "the server could not find the requested resource"))
        }
        let parameters = Dictionary(query.split(separator: "&").map {
            let pair = $0.split(separator: "=", maxSplits: 1).map(String.init)
            return (pair[0], (pair.count > 1 ? pair[1] : "").removingPercentEncoding ?? "")
        }, uniquingKeysWith: { $1 })
        // Equality selectors only ("a=b,c=d"), which is what the agent sends.
        let labels = Dictionary((parameters["labelSelector"] ?? "").split(separator: ",").map {
            let pair = $0.split(separator: "=", maxSplits: 1).map(String.init)
            return (pair[0], pair.count > 1 ? pair[1] : "")
        }, uniquingKeysWith: { $1 })
        let name = parameters["fieldSelector"].flatMap { $0.hasPrefix("metadata.name=") ? String($0.dropFirst(14)) : nil }
        let accept = headers["Accept"].first ?? ""
        switch (method, parts.count) {
        case ("GET", 3) where parameters["watch"] == "1":
            let from = Int(parameters["resourceVersion"] ?? "") ?? 0
            startWatch(Watcher(channel: channel, metadataOnly: accept.hasPrefix("application/json;as=PartialObjectMetadata;"), labels: labels,
                               name: name), from: from)
        case ("GET", 3):
            // limit/continue as kube-apiserver pages lists: an opaque token for the next page.
            let metadataOnly = accept.hasPrefix("application/json;as=PartialObjectMetadataList;")
            let (all, version) = withState { state in
                (state.nodes.keys.sorted().filter { name == nil || $0 == name }.map { state.nodes[$0]! }.filter { Self.matches($0, labels) },
                 state.resourceVersion)
            }
            let start = parameters["continue"].flatMap { Data(base64Encoded: $0) }
                .flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
            let limit = parameters["limit"].flatMap { Int($0) } ?? all.count
            let end = min(all.count, start + limit)
            var metadata: [String: Any] = ["resourceVersion": String(version)]
            if end < all.count { metadata["continue"] = Data(String(end).utf8).base64EncodedString() }
            let items = all[start..<end].map { metadataOnly ? Self.partial($0) : $0 }
            reply(channel, 200, Self.json(["kind": metadataOnly ? "PartialObjectMetadataList" : "NodeList",
                                           "apiVersion": metadataOnly ? "meta.k8s.io/v1" : "v1", "metadata": metadata, "items": items]))
        case ("GET", 4):
            guard let node = withState({ $0.nodes[parts[3]] }) else {
                return reply(channel, 404, Self.status(404, "NotFound", "nodes \"\(parts[3])\" not found"))
            }
            reply(channel, 200, Self.json(node))
        case ("PATCH", 4):
            patch(parts[3], contentType: headers["Content-Type"].first ?? "", body: body, channel: channel)
        case ("PATCH", 5) where parts[4] == "status":
            patchStatus(parts[3], contentType: headers["Content-Type"].first ?? "", body: body, channel: channel)
        default:
            reply(channel, 405, Self.status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"))
        }
    }

    /// `PATCH /api/v1/nodes/NAME/status`, strategic merge: each condition in the patch
    /// replaces the one of its `type` (the list's merge key) or is appended.
    private func patchStatus(_ name: String, contentType: String, body: [UInt8], channel: Channel) {
        guard contentType == "application/strategic-merge-patch+json" else {
            return reply(channel, 415, Self.status(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"))
        }
        guard let patch = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let patchStatus = patch["status"] as? [String: Any], patch.keys.allSatisfy({ $0 == "status" }) else {
            return reply(channel, 400, Self.status(400, "BadRequest", "error decoding patch"))
        }
        let found = withState { $0.nodes[name] != nil }
        guard found else { return reply(channel, 404, Self.status(404, "NotFound", "nodes \"\(name)\" not found")) }
        mutate { state in
            var status = state.nodes[name]!["status"] as! [String: Any]
            var conditions = status["conditions"] as? [[String: Any]] ?? []
            for condition in patchStatus["conditions"] as? [[String: Any]] ?? [] {
                if let index = conditions.firstIndex(where: { $0["type"] as? String == condition["type"] as? String }) {
                    conditions[index] = condition
                } else {
                    conditions.append(condition)
                }
            }
            status["conditions"] = conditions
            state.nodes[name]!["status"] = status
            return (name, "MODIFIED")
        }
        reply(channel, 200, Self.json(withState { $0.nodes[name]! }))
    }

    private func patch(_ name: String, contentType: String, body: [UInt8], channel: Channel) {
        guard contentType == "application/merge-patch+json" else {
            return reply(channel, 415, Self.status(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"))
        }
        guard let patch = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let metadata = patch["metadata"] as? [String: Any] else {
            return reply(channel, 400, Self.status(400, "BadRequest", "error decoding patch"))
        }
        let result: (Int, [UInt8]) = withState { state in
            guard var node = state.nodes[name] else { return (404, Self.status(404, "NotFound", "nodes \"\(name)\" not found")) }
            var nodeMetadata = node["metadata"] as! [String: Any]
            let conflict = "Operation cannot be fulfilled on nodes \"\(name)\": the object has been modified; please apply your changes to the latest version and try again"
            if state.patchConflicts > 0 {
                state.patchConflicts -= 1
                return (409, Self.status(409, "Conflict", conflict))
            }
            if let expected = metadata["resourceVersion"] as? String, expected != nodeMetadata["resourceVersion"] as? String {
                return (409, Self.status(409, "Conflict", conflict))
            }
            var annotations = nodeMetadata["annotations"] as? [String: Any] ?? [:]
            for (key, value) in metadata["annotations"] as? [String: Any] ?? [:] {
                if value is NSNull { annotations.removeValue(forKey: key) } else { annotations[key] = value }
            }
            nodeMetadata["annotations"] = annotations
            node["metadata"] = nodeMetadata
            state.nodes[name] = node
            return (200, [])
        }
        guard result.0 == 200 else { return reply(channel, result.0, result.1) }
        mutate { _ in (name, "MODIFIED") }
        reply(channel, 200, Self.json(withState { $0.nodes[name]! }))
    }

    private func startWatch(_ watcher: Watcher, from version: Int) {
        let channel = watcher.channel
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        let (gone, asHTTP, backlog) = withState { state -> (Bool, Bool, [[UInt8]]) in
            if version < state.compactedThrough { return (true, state.goneAsHTTPStatus, []) }
            if state.silent { return (false, false, []) }
            state.watchers[ObjectIdentifier(channel)] = watcher
            return (false, false, state.history.filter { $0.0 > version }.compactMap { Self.event($0.1, $0.2, for: watcher) })
        }
        if gone && asHTTP {
            return reply(channel, 410, Self.status(410, "Expired", "too old resource version: \(version) (\(withState { $0.compactedThrough }))"))
        }
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        if gone {
            channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: Self.goneEvent(version)))), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
            return
        }
        for line in backlog { channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: line))), promise: nil) }
        channel.flush()
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.withState { $0.watchers.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    /// Applies a change, bumps the resourceVersion, records it and sends it to open watches
    /// (none while silent).
    private func mutate(_ change: (inout State) -> (String, String)) {
        let sends = withState { state -> [(Channel, [UInt8])] in
            let (name, type) = change(&state)
            state.resourceVersion += 1
            var node = state.nodes[name]!
            var metadata = node["metadata"] as! [String: Any]
            metadata["resourceVersion"] = String(state.resourceVersion)
            node["metadata"] = metadata
            state.nodes[name] = node
            state.history.append((state.resourceVersion, type, node))
            guard !state.silent else { return [] }
            return state.watchers.values.compactMap { watcher in Self.event(type, node, for: watcher).map { (watcher.channel, $0) } }
        }
        for (channel, line) in sends {
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: line))), promise: nil)
        }
    }

    private func reply(_ channel: Channel, _ code: Int, _ body: [UInt8]) {
        var head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: code))
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Date", value: KubernetesServerTime.format(clock()))
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
    }

    // MARK: Object shapes (Kubernetes API reference, core/v1)

    /// The event line a watcher gets for a change: nil when the Node does not match its selector.
    static func event(_ type: String, _ node: [String: Any], for watcher: Watcher) -> [UInt8]? {
        guard matches(node, watcher.labels),
              watcher.name == nil || (node["metadata"] as? [String: Any])?["name"] as? String == watcher.name else { return nil }
        return event(type, watcher.metadataOnly ? partial(node) : node)
    }

    public static func matches(_ node: [String: Any], _ labels: [String: String]) -> Bool {
        let own = (node["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
        return labels.allSatisfy { own[$0.key] == $0.value }
    }

    /// The Node as `PartialObjectMetadata`: its metadata only.
    public static func partial(_ node: [String: Any]) -> [String: Any] {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": node["metadata"] ?? [:]]
    }

    public static func node(name: String, podCIDRs: [String], internalIP: String, labels: [String: String] = [:]) -> [String: Any] {
        var spec: [String: Any] = ["providerID": "edge://\(name)"]
        if let first = podCIDRs.first {
            spec["podCIDR"] = first
            spec["podCIDRs"] = podCIDRs
        }
        let now = timestamp(Date())
        return [
            "kind": "Node", "apiVersion": "v1",
            "metadata": [
                "name": name, "uid": UUID().uuidString.lowercased(), "resourceVersion": "0", "creationTimestamp": now,
                "labels": ["kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                           "node-role.kubernetes.io/edge": ""].merging(labels) { $1 },
                "annotations": ["node.alpha.kubernetes.io/ttl": "0",
                                "volumes.kubernetes.io/controller-managed-attach-detach": "true"],
            ] as [String: Any],
            "spec": spec,
            "status": [
                "capacity": ["cpu": "2", "memory": "8141108Ki", "pods": "110"],
                "allocatable": ["cpu": "2", "memory": "8038708Ki", "pods": "110"],
                "conditions": [["type": "Ready", "status": "True", "lastHeartbeatTime": now, "lastTransitionTime": now,
                                "reason": "KubeletReady", "message": "kubelet is posting ready status"]],
                "addresses": [["type": "InternalIP", "address": internalIP], ["type": "Hostname", "address": name]],
                "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
                "nodeInfo": ["kubeletVersion": "v1.31.2", "containerRuntimeVersion": "containerd://1.7.22",
                             "kernelVersion": "6.1.0-27-amd64", "osImage": "Debian GNU/Linux 12 (bookworm)",
                             "operatingSystem": "linux", "architecture": "amd64"],
            ] as [String: Any],
        ]
    }

    public static func status(_ code: Int, _ reason: String, _ message: String) -> [UInt8] {
        json(["kind": "Status", "apiVersion": "v1", "metadata": [:] as [String: Any], "status": "Failure",
              "message": message, "reason": reason, "code": code])
    }

    public static func event(_ type: String, _ object: [String: Any]) -> [UInt8] {
        json(["type": type, "object": object]) + [0x0A]
    }

    public static func goneEvent(_ version: Int) -> [UInt8] {
        json(["type": "ERROR", "object": ["kind": "Status", "apiVersion": "v1", "metadata": [:] as [String: Any],
                                          "status": "Failure", "message": "too old resource version: \(version) (\(version + 1))",
                                          "reason": "Expired", "code": 410] as [String: Any]]) + [0x0A]
    }

    public static func json(_ object: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    public static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// Lets the channel handlers reach the server once it has been created.
private final class ServerBox: Sendable {
    let server = Mutex<KubernetesAPIServer?>(nil)
    /// Every accepted connection, so that a stop closes them as a restarting server would.
    let connections = Mutex<[ObjectIdentifier: Channel]>([:])
}

/// Collects one request (head and body) and hands it to the server.
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart

    private let box: ServerBox
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(box: ServerBox) {
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head, let server = box.server.withLock({ $0 }) else { return }
            server.respond(method: head.method.rawValue, uri: head.uri, headers: head.headers, body: body, channel: context.channel)
        }
    }
}

private extension Array where Element == String {
    var splitPair: (String, String) { (self.first ?? "", count > 1 ? self[1] : "") }
}
