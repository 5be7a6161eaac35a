import Foundation
import HTTPClient

/// A minimal client of the Kubernetes API for Nodes: get, list, merge-patch, status patch, watch.
/// Authenticates with a service-account bearer token read from a file on every request
/// (kubelet rotates projected tokens), over HTTPS with the cluster's CA (or plain HTTP to a
/// local `kubectl proxy`).
public final class KubernetesClient: Sendable {
    public struct Configuration: Sendable {
        public var endpoint: HTTPEndpoint
        /// The bearer token file; nil sends no Authorization header (e.g. behind `kubectl proxy`).
        public var tokenFile: String?
        public var connectTimeout: Double = 2
        public var requestTimeout: Double = 10
        /// A watch that sends nothing this long is dead: kube-apiserver sends a bookmark
        /// about every minute to a watch that asked for them.
        public var watchIdleTimeout: Double = 150
        /// For an https endpoint: the cluster CA (and a client certificate, if used).
        public var tls: TLSOptions?

        public init(endpoint: HTTPEndpoint, tokenFile: String?, tls: TLSOptions? = nil) {
            self.endpoint = endpoint
            self.tokenFile = tokenFile
            self.tls = tls
        }

        public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

        /// The pod's own view: https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT, the
        /// service-account token and the cluster CA mounted beside it.
        public static func inCluster(environment: [String: String],
                                     directory: String = serviceAccountDirectory) throws(KubernetesError) -> Configuration {
            guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
                throw .configuration("KUBERNETES_SERVICE_HOST/PORT are not set: not running in a pod; give the API address, e.g. kubernetes://10.0.0.1:6443?ca=/etc/kubernetes/pki/ca.crt&token=/path/to/token")
            }
            let endpoint: HTTPEndpoint
            do { endpoint = try HTTPEndpoint(parsing: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)", defaultPort: 443, tls: true) } catch {
                throw .configuration("KUBERNETES_SERVICE_HOST/PORT: \(error)")
            }
            return Configuration(endpoint: endpoint, tokenFile: "\(directory)/token", tls: TLSOptions(caFile: "\(directory)/ca.crt"))
        }
    }

    public let configuration: Configuration
    /// The API server's clock, from the `Date` of its answers.
    public let serverTime = KubernetesServerTime()
    private let connections: HTTPConnectionCache

    public init(_ configuration: Configuration) throws(KubernetesError) {
        self.configuration = configuration
        do {
            connections = HTTPConnectionCache(connectTimeout: configuration.connectTimeout, tls: try configuration.tls?.makeContext())
        } catch {
            throw .configuration(error.description)
        }
    }

    public func close() async {
        await connections.closeAll()
    }

    /// The Node, or nil when the API has none of that name.
    public func node(named name: String) async throws -> KubernetesNode? {
        let response = try await send("GET", "/api/v1/nodes/\(name)")
        if response.status == 404 { return nil }
        return try KubernetesJSON.decode(KubernetesNode.self, from: try ok(response), what: "Node \(name)")
    }

    /// The Nodes `query` selects, read in pages of `pageSize` (a Node object is several KiB;
    /// thousands of them in one answer would be tens of MiB). The pages form one consistent snapshot.
    public func nodes(_ query: KubernetesNodeQuery = .all, pageSize: Int = 250) async throws -> KubernetesNodeList {
        var list = KubernetesNodeList(resourceVersion: "", items: [])
        var token = ""
        repeat {
            let parameters = ["limit=\(pageSize)"] + query.parameters + (token.isEmpty ? [] : ["continue=\(KubernetesNodeQuery.encode(token))"])
            let response = try await send("GET", "/api/v1/nodes?\(parameters.joined(separator: "&"))", accept: query.accept(watch: false))
            let page = try KubernetesJSON.decode(KubernetesNodeList.self, from: try ok(response), what: "NodeList")
            if list.resourceVersion.isEmpty { list.resourceVersion = page.resourceVersion }
            list.items += page.items
            token = page.continueToken
        } while !token.isEmpty
        return list
    }

    /// Applies a JSON merge patch; a stale `metadata.resourceVersion` in it gives 409.
    public func patchNode(named name: String, mergePatch: [UInt8]) async throws -> KubernetesNode {
        let response = try await send("PATCH", "/api/v1/nodes/\(name)", body: mergePatch,
                                      contentType: "application/merge-patch+json")
        return try KubernetesJSON.decode(KubernetesNode.self, from: try ok(response), what: "patched Node \(name)")
    }

    /// Patches the Node's status subresource with a strategic merge patch, as kubectl and
    /// kubelet do: `status.conditions` merge by `type`, so one condition is set and the
    /// others stay.
    public func patchNodeStatus(named name: String, strategicMergePatch: [UInt8]) async throws {
        _ = try ok(try await send("PATCH", "/api/v1/nodes/\(name)/status", body: strategicMergePatch,
                                  contentType: "application/strategic-merge-patch+json"))
    }

    /// Watches the Nodes `query` selects from `resourceVersion`, with bookmarks. A 410
    /// answer throws `.status` with code 410.
    public func watchNodes(_ query: KubernetesNodeQuery = .all, from resourceVersion: String) async throws -> KubernetesWatch {
        let parameters = ["watch=1", "allowWatchBookmarks=true", "resourceVersion=\(resourceVersion)"] + query.parameters
        let stream = try await HTTPStream.open(try request("GET", "/api/v1/nodes?\(parameters.joined(separator: "&"))",
                                                           accept: query.accept(watch: true)), to: configuration.endpoint,
                                               tls: connections.tls, group: connections.group,
                                               timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)),
                                               idleTimeout: .milliseconds(Int64(configuration.watchIdleTimeout * 1000)))
        guard stream.status == 200 else {
            let status = KubernetesStatus.decode(httpStatus: stream.status, body: try await stream.readAll())
            stream.close()
            throw KubernetesError.status(status)
        }
        return KubernetesWatch(stream: stream) { line in try KubernetesWatchEvent(line: line) }
    }

    // MARK: Transport

    private func request(_ method: String, _ path: String, body: [UInt8] = [], contentType: String = "application/json",
                         accept: String = "application/json") throws(KubernetesError) -> HTTPRequest {
        var headers = [("Accept", accept)]
        if !body.isEmpty { headers.append(("Content-Type", contentType)) }
        if let tokenFile = configuration.tokenFile {
            guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
                throw .configuration("cannot read a bearer token from \(tokenFile)")
            }
            headers.append(("Authorization", "Bearer \(token)"))
        }
        return HTTPRequest(method: method, path: path, headers: headers, body: body)
    }

    private func send(_ method: String, _ path: String, body: [UInt8] = [], contentType: String = "application/json",
                      accept: String = "application/json") async throws -> HTTPResponse {
        let request = try request(method, path, body: body, contentType: contentType, accept: accept)
        let response: HTTPResponse
        do {
            response = try await connections.send(request, to: configuration.endpoint, timeout: configuration.requestTimeout)
        } catch let error as HTTPClientError where error.isTransport {
            // A kept-alive connection the server closed meanwhile: one fresh try.
            response = try await connections.send(request, to: configuration.endpoint, timeout: configuration.requestTimeout)
        }
        serverTime.observe(header: response.header("Date"))
        return response
    }

    private func ok(_ response: HTTPResponse) throws(KubernetesError) -> [UInt8] {
        guard (200..<300).contains(response.status) else {
            throw .status(KubernetesStatus.decode(httpStatus: response.status, body: response.body))
        }
        return response.body
    }
}

/// The events of one watch request, in order; nil when the server ends it (it does after
/// its timeout), and the caller watches again from the last resourceVersion.
public typealias KubernetesWatch = DecodedLineStream<KubernetesWatchEvent>
