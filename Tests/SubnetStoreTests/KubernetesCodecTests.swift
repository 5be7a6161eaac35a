import Foundation
import HTTPClient
import NetworkCore
@testable import SubnetStore
import Testing
import TestSupport

/// The Kubernetes codecs against objects shaped as in the API reference (core/v1 Node,
/// NodeList, Status, WatchEvent).
@Suite struct KubernetesCodecTests {
    static var node: [String: Any] { KubernetesAPIServer.node(name: "edge-1", podCIDRs: ["10.0.1.0/24", "fd00:10:0:1::/64"], internalIP: "192.168.10.5") }

    @Test func nodeDecodes() throws {
        let decoded = try KubernetesJSON.decode(KubernetesNode.self, from: KubernetesAPIServer.json(Self.node), what: "Node")
        #expect(decoded.name == "edge-1" && decoded.resourceVersion == "0")
        #expect(decoded.podCIDRs == [try IPPrefix(parsing: "10.0.1.0/24"), try IPPrefix(parsing: "fd00:10:0:1::/64")])
        #expect(decoded.internalIPs == [IPAddress("192.168.10.5")!])
        #expect(decoded.conditions == ["Ready": "True"])
        #expect(decoded.annotations["node.alpha.kubernetes.io/ttl"] == "0")
    }

    /// What a metadata-only list or watch sends: the Node's metadata, no spec or status.
    @Test func partialObjectMetadataDecodesWithoutSpec() throws {
        var node = Self.node
        var metadata = node["metadata"] as! [String: Any]
        metadata["annotations"] = ["terway-edge.io/lease": "{}"]
        node["metadata"] = metadata
        let decoded = try KubernetesJSON.decode(KubernetesNode.self, from: KubernetesAPIServer.json(KubernetesAPIServer.partial(node)), what: "Node")
        #expect(decoded.name == "edge-1" && decoded.annotations["terway-edge.io/lease"] == "{}")
        #expect(decoded.podCIDRs.isEmpty && decoded.internalIPs.isEmpty)
        // What a watcher receives per Node change (this Node shape has no images list, which
        // alone is several KiB on a real node): the metadata is a fraction of it.
        let whole = KubernetesAPIServer.event("MODIFIED", node).count
        let partial = KubernetesAPIServer.event("MODIFIED", KubernetesAPIServer.partial(node)).count
        print("watch event bytes: whole Node \(whole), metadata only \(partial)")
        #expect(partial * 2 < whole)
    }

    @Test func nodeQueriesEncodeSelectorsAndAccept() {
        let query = KubernetesNodeQuery(labelSelector: "alibabacloud.com/is-edge-worker=true", fieldSelector: "metadata.name=edge-1",
                                        metadataOnly: true)
        #expect(query.parameters == ["labelSelector=alibabacloud.com%2Fis-edge-worker%3Dtrue", "fieldSelector=metadata.name%3Dedge-1"])
        #expect(query.accept(watch: true) == "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json")
        #expect(query.accept(watch: false) == "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json")
        #expect(KubernetesNodeQuery.all.parameters.isEmpty && KubernetesNodeQuery.all.accept(watch: true) == "application/json")
    }

    /// The patch flannel sends, with our reason: one condition, merged by type.
    @Test func networkAvailablePatch() throws {
        let patch = KubernetesNodeCondition.networkAvailable.statusPatch(at: Date(timeIntervalSince1970: 1_800_000_000))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(patch)) as? [String: Any])
        let conditions = try #require((object["status"] as? [String: Any])?["conditions"] as? [[String: String]])
        #expect(object.keys.sorted() == ["status"] && conditions == [[
            "type": "NetworkUnavailable", "status": "False", "reason": "TerwayEdgeIsUp", "message": "TerwayEdge is running on this node",
            "lastTransitionTime": "2027-01-15T08:00:00Z", "lastHeartbeatTime": "2027-01-15T08:00:00Z"]])
    }

    @Test func legacyPodCIDRAndNoneYet() throws {
        let legacy = #"{"kind":"Node","apiVersion":"v1","metadata":{"name":"old","resourceVersion":"7"},"spec":{"podCIDR":"10.0.9.0/24"}}"#
        #expect(try KubernetesJSON.decode(KubernetesNode.self, from: Array(legacy.utf8), what: "Node").podCIDRs == [try IPPrefix(parsing: "10.0.9.0/24")])
        let fresh = #"{"kind":"Node","apiVersion":"v1","metadata":{"name":"new","resourceVersion":"8"},"spec":{}}"#
        #expect(try KubernetesJSON.decode(KubernetesNode.self, from: Array(fresh.utf8), what: "Node").podCIDRs.isEmpty)
    }

    @Test(arguments: [
        #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"}}"#,
        #"{"kind":"Node","metadata":{}}"#,
        #"{"kind":"Node","metadata":{"name":"a"},"spec":{"podCIDRs":["10.0.0.1/33"]}}"#,
        #"{"kind":"Node","metadata":{"name":"a","annotations":{"k":1}}}"#,
        "[]", "",
    ])
    func badNodesAreErrors(body: String) {
        #expect(throws: KubernetesError.self) { try KubernetesJSON.decode(KubernetesNode.self, from: Array(body.utf8), what: "Node") }
    }

    @Test func nodeListDecodes() throws {
        let list = KubernetesAPIServer.json(["kind": "NodeList", "apiVersion": "v1", "metadata": ["resourceVersion": "12345"], "items": [Self.node]])
        let decoded = try KubernetesJSON.decode(KubernetesNodeList.self, from: list, what: "NodeList")
        #expect(decoded.resourceVersion == "12345" && decoded.items.map(\.name) == ["edge-1"] && decoded.continueToken.isEmpty)
        let page = #"{"kind":"NodeList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"},"items":[]}"#
        #expect(try KubernetesJSON.decode(KubernetesNodeList.self, from: Array(page.utf8), what: "NodeList").continueToken == "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ")
    }

    @Test func watchEventsDecode() throws {
        guard case .modified(let node) = try KubernetesWatchEvent(line: KubernetesAPIServer.event("MODIFIED", Self.node).dropLast()) else {
            Issue.record("expected MODIFIED"); return
        }
        #expect(node.name == "edge-1")
        #expect(try KubernetesWatchEvent(line: Array(#"{"type":"BOOKMARK","object":{"kind":"Node","apiVersion":"v1","metadata":{"resourceVersion":"12746"}}}"#.utf8))
                == .bookmark(resourceVersion: "12746"))
        let gone = try KubernetesWatchEvent(line: KubernetesAPIServer.goneEvent(5).dropLast())
        guard case .error(let status) = gone else { Issue.record("expected ERROR"); return }
        #expect(status.isGone && status.reason == "Expired")
        #expect(throws: KubernetesError.self) { try KubernetesWatchEvent(line: Array(#"{"type":"SYNC","object":{}}"#.utf8)) }
        #expect(throws: KubernetesError.self) { try KubernetesWatchEvent(line: Array(#"{"object":{}}"#.utf8)) }
    }

    @Test func statusBodies() {
        let conflict = KubernetesStatus.decode(httpStatus: 409, body: KubernetesAPIServer.status(409, "Conflict", "the object has been modified"))
        #expect(conflict == KubernetesStatus(code: 409, reason: "Conflict", message: "the object has been modified"))
        #expect(KubernetesStatus.decode(httpStatus: 502, body: Array("upstream down".utf8)) == KubernetesStatus(code: 502, reason: "", message: "upstream down"))
    }

    @Test func annotationPatchCarriesThePrecondition() throws {
        let set = KubernetesJSON.annotationPatch(key: "terway-edge.io/lease", value: "{}", resourceVersion: "42")
        #expect(String(decoding: set, as: UTF8.self) == #"{"metadata":{"annotations":{"terway-edge.io\/lease":"{}"},"resourceVersion":"42"}}"#)
        let remove = KubernetesJSON.annotationPatch(key: "terway-edge.io/lease", value: nil, resourceVersion: "43")
        #expect(String(decoding: remove, as: UTF8.self) == #"{"metadata":{"annotations":{"terway-edge.io\/lease":null},"resourceVersion":"43"}}"#)
    }

    @Test func storeURLs() throws {
        #expect(throws: LeaseStoreError.self) {
            try KubernetesLeaseStore(url: LeaseStoreURL(parsing: "kubernetes://"), options: .init(), environment: [:])
        }
        let inCluster = try KubernetesClient.Configuration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], directory: "/sa")
        #expect(inCluster.endpoint == HTTPEndpoint(host: "10.96.0.1", port: 443, tls: true))
        #expect(inCluster.tokenFile == "/sa/token" && inCluster.tls == TLSOptions(caFile: "/sa/ca.crt"))
        let store = try KubernetesLeaseStore(url: LeaseStoreURL(parsing: "kubernetes://127.0.0.1:8001?token=/tmp/t"), options: .init())
        #expect(store.client.configuration.endpoint == HTTPEndpoint(host: "127.0.0.1", port: 8001, tls: true), "a token implies TLS")
        #expect(store.client.configuration.tokenFile == "/tmp/t")
        #expect(throws: LeaseStoreError.self) { try KubernetesLeaseStore(url: LeaseStoreURL(parsing: "kubernetes://a:1?insecure=1"), options: .init()) }
        #expect(throws: LeaseStoreError.self) { try KubernetesLeaseStore(url: LeaseStoreURL(parsing: "kubernetes://a:1?ca=/nonexistent"), options: .init()) }
    }
}

/// The API server's clock from `Date` headers: parsed strictly, never going backwards.
@Suite struct KubernetesServerTimeTests {
    @Test func dateHeadersGiveAMonotonicLowerBound() {
        let time = KubernetesServerTime()
        #expect(time.now(fallback: { Date(timeIntervalSince1970: 7) }) == Date(timeIntervalSince1970: 7))
        time.observe(header: "Tue, 01 Dec 2026 01:00:01 GMT")
        let first = time.now { Date() }
        #expect(abs(first.timeIntervalSince1970 - 1_796_086_801) < 0.5)
        time.observe(header: "Tue, 01 Dec 2026 01:00:00 GMT")   // an older answer arriving late
        #expect(time.now { Date() } >= first)
        time.observe(header: "not a date")
        #expect(KubernetesServerTime.parse(KubernetesServerTime.format(first)) == Date(timeIntervalSince1970: 1_796_086_801))
    }
}
