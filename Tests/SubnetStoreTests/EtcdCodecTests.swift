import Foundation
import HTTPClient
import NetworkCore
@testable import SubnetStore
import Testing

/// The etcd gateway codecs, against answers captured from etcd 3.4.23 (`curl /v3/...`).
@Suite struct EtcdCodecTests {
    static let header = #""header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"3","raft_term":"2"}"#

    func json(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test func rangeResponseDecodes() throws {
        let body = #"{\#(Self.header),"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"},{"key":"Zm9vMg==","create_revision":"3","mod_revision":"3","version":"1","value":"YmF6","lease":"7587887063447412234"}],"count":"2","more":true}"#
        let response = try EtcdRangeResponse(json: EtcdJSON(parsing: Array(body.utf8), context: "range"))
        #expect(response.header == EtcdResponseHeader(revision: 3, memberID: "3319814642761637952", raftTerm: 2))
        #expect(response.kvs.map(\.keyString) == ["foo", "foo2"])
        #expect(response.kvs[1] == EtcdKeyValue(key: Array("foo2".utf8), value: Array("baz".utf8), createRevision: 3,
                                                modRevision: 3, version: 1, lease: 7_587_887_063_447_412_234))
        #expect(response.more && response.count == 2)
    }

    @Test func emptyRangeHasNoKeys() throws {
        let response = try EtcdRangeResponse(json: EtcdJSON(parsing: Array("{\(Self.header)}".utf8), context: "range"))
        #expect(response.kvs.isEmpty && response.count == 0 && !response.more)
    }

    @Test func transactionEncodesCompareAndOperations() throws {
        let txn = EtcdTxnRequest(
            compare: [.createRevision(key: Array("a".utf8), equals: 0), .modRevision(key: Array("b".utf8), equals: 7),
                      .value(key: Array("c".utf8), equals: Array("n".utf8))],
            success: [.put(key: Array("a".utf8), value: Array("v".utf8), lease: 42), .delete(key: Array("b".utf8))],
            failure: [.range(EtcdRangeRequest(prefix: Array("a".utf8)))])
        let encoded = try json(EtcdJSON.encode(txn.json))
        let expected: NSDictionary = [
            "compare": [
                ["key": "YQ==", "target": "CREATE", "result": "EQUAL", "create_revision": "0"],
                ["key": "Yg==", "target": "MOD", "result": "EQUAL", "mod_revision": "7"],
                ["key": "Yw==", "target": "VALUE", "result": "EQUAL", "value": "bg=="],
            ],
            "success": [
                ["request_put": ["key": "YQ==", "value": "dg==", "lease": "42"]],
                ["request_delete_range": ["key": "Yg=="]],
            ],
            "failure": [["request_range": ["key": "YQ==", "range_end": "Yg=="]]],
        ]
        #expect(encoded == expected)
    }

    @Test func transactionResponsesDecode() throws {
        let won = #"{\#(Self.header),"succeeded":true,"responses":[{"response_put":{"header":{"revision":"3"}}},{"response_delete_range":{"header":{"revision":"3"},"deleted":"1"}}]}"#
        let response = try EtcdTxnResponse(json: EtcdJSON(parsing: Array(won.utf8), context: "txn"))
        #expect(response.succeeded && response.responses == [.put, .delete(deleted: 1)])
        let lost = #"{\#(Self.header),"responses":[{"response_range":{"header":{"revision":"2"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}],"count":"1"}}]}"#
        let failed = try EtcdTxnResponse(json: EtcdJSON(parsing: Array(lost.utf8), context: "txn"))
        #expect(!failed.succeeded)
        guard case .range(let range) = failed.responses.first else { Issue.record("expected a range response"); return }
        #expect(range.kvs.first?.value == Array("bar".utf8))
    }

    @Test func leaseAnswersDecode() throws {
        let grant = try EtcdLeaseGrant(json: EtcdJSON(parsing: Array(#"{\#(Self.header),"ID":"2324035621910604039","TTL":"5"}"#.utf8), context: "grant"))
        #expect(grant.id == 2_324_035_621_910_604_039 && grant.ttl == 5)
        let alive = try EtcdLeaseKeepAlive(json: EtcdJSON(parsing: Array(#"{"result":{\#(Self.header),"ID":"1","TTL":"5"}}"#.utf8), context: "keepalive"))
        #expect(alive.id == 1 && alive.ttl == 5)
        // etcd's answer for a lease it no longer has: no TTL.
        let gone = try EtcdLeaseKeepAlive(json: EtcdJSON(parsing: Array(#"{"result":{\#(Self.header),"ID":"1"}}"#.utf8), context: "keepalive"))
        #expect(gone.ttl == 0)
        #expect(throws: EtcdError.malformed("lease grant without ID or TTL")) {
            try EtcdLeaseGrant(json: EtcdJSON(parsing: Array("{\(Self.header)}".utf8), context: "grant"))
        }
    }

    @Test func watchLinesDecode() throws {
        let created = try EtcdWatchResponse(line: Array(#"{"result":{\#(Self.header),"created":true}}"#.utf8))
        #expect(created.created && created.events.isEmpty)
        let events = try EtcdWatchResponse(line: Array(#"{"result":{\#(Self.header),"events":[{"kv":{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}},{"type":"DELETE","kv":{"key":"Zm9vMg==","mod_revision":"4"},"prev_kv":{"key":"Zm9vMg==","create_revision":"3","mod_revision":"3","version":"1","value":"YmF6"}}]}}"#.utf8))
        #expect(events.events.map(\.kind) == [.put, .delete])
        #expect(events.events[1].prevKV?.value == Array("baz".utf8))
        let compacted = try EtcdWatchResponse(line: Array(#"{"result":{"header":{"cluster_id":"1","member_id":"2","raft_term":"2"},"canceled":true,"compact_revision":"3"}}"#.utf8))
        #expect(compacted.canceled && compacted.compactRevision == 3)
        #expect(throws: EtcdError.server(code: 14, message: "etcdserver: no leader", httpStatus: 503)) {
            try EtcdWatchResponse(line: Array(#"{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}"#.utf8))
        }
    }

    @Test func gatewayErrorsDecodeAndClassify() {
        let notFound = EtcdError.decode(status: 404, body: Array(#"{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}"#.utf8))
        #expect(notFound == .server(code: 5, message: "etcdserver: requested lease not found", httpStatus: 404))
        #expect(!notFound.isRetryable)
        #expect(EtcdError.decode(status: 503, body: Array(#"{"error":"etcdserver: leader changed","code":14}"#.utf8)).isRetryable)
        #expect(EtcdError.decode(status: 502, body: Array("Bad Gateway".utf8)) == .server(code: 0, message: "Bad Gateway", httpStatus: 502))
        #expect(EtcdError.decode(status: 502, body: []).isRetryable)
    }

    @Test(arguments: [
        "not json", "[1,2]", #"{"kvs":{}}"#, #"{"kvs":[{"key":"!!!"}]}"#, #"{"kvs":[{"key":"YQ==","mod_revision":"x"}]}"#,
        #"{"kvs":[{"key":"YQ==","mod_revision":1.5}]}"#, #"{"kvs":[{"value":"YQ=="}]}"#, #"{"more":"yes"}"#,
    ])
    func malformedAnswersAreErrors(body: String) {
        #expect(throws: EtcdError.self) { try EtcdRangeResponse(json: EtcdJSON(parsing: Array(body.utf8), context: "range")) }
    }

    @Test func prefixRangeEnds() {
        #expect(Array("/a/".utf8).prefixRangeEnd == Array("/a0".utf8))
        #expect([0x61, 0xff].prefixRangeEnd == [0x62])
        #expect([0xff, 0xff].prefixRangeEnd == [0])
    }

    @Test func keyLayout() throws {
        let layout = try EtcdKeyLayout(prefix: "/terway-edge/")
        #expect(layout.prefix == "/terway-edge")
        let v4 = try IPPrefix(parsing: "10.0.1.0/24"), v6 = try IPPrefix(parsing: "fd00:10::/64")
        #expect(String(decoding: layout.subnetKey(v4), as: UTF8.self) == "/terway-edge/subnets/v4/000010100000000000000001")
        #expect(layout.subnet(ofSubnetKey: layout.subnetKey(v4)) == v4 && layout.subnet(ofSubnetKey: layout.subnetKey(v6)) == v6)
        // Overlap is key containment: a subnet's key prefixes every key inside it.
        let inside = try IPPrefix(parsing: "10.0.1.128/25")
        #expect(layout.coveringSubnetKeys(inside).contains(layout.subnetKey(v4)))
        let range = layout.coveredSubnetRange(v4), key = layout.subnetKey(inside)
        #expect(key.lexicographicallyPrecedes(range.end) && !key.lexicographicallyPrecedes(range.start))
        #expect(layout.subnet(ofSubnetKey: Array("/terway-edge/subnets/v4/012".utf8)) == nil)
        #expect(layout.node(ofLeaseKey: layout.leaseKey("edge-1")) == "edge-1")
        #expect(layout.node(ofLeaseKey: Array("/terway-edge/subnets/x".utf8)) == nil)
        for bad in ["", "/", "terway", "/a//b", "/a b"] {
            #expect(throws: LeaseStoreError.self) { try EtcdKeyLayout(prefix: bad) }
        }
    }

    @Test func storeURLOptions() throws {
        #expect(throws: LeaseStoreError.self) {
            try EtcdLeaseStore(url: LeaseStoreURL(parsing: "etcd://127.0.0.1:2379/x?ca=/etc/ca.pem"), options: .init())
        }
        #expect(throws: LeaseStoreError.self) { try EtcdLeaseStore(url: LeaseStoreURL(parsing: "etcd:///x"), options: .init()) }
        #expect(throws: LeaseStoreError.self) { try EtcdLeaseStore(url: LeaseStoreURL(parsing: "etcd://h:1/x?timeout=-1"), options: .init()) }
        let store = try EtcdLeaseStore(url: LeaseStoreURL(parsing: "etcd://10.0.0.1,10.0.0.2:2390?timeout=2"), options: .init())
        #expect(store.layout.prefix == "/terway-edge")
        #expect(store.client.configuration.endpoints == [HTTPEndpoint(host: "10.0.0.1", port: 2379), HTTPEndpoint(host: "10.0.0.2", port: 2390)])
        #expect(store.client.configuration.requestTimeout == 2)
    }

    @Test func watchViewClassifiesChanges() throws {
        let now = Date()
        let lease = Lease(node: "edge-a", subnets: [try .init(parsing: "10.0.1.0/24")], nodeAddress: .init("192.168.1.1")!,
                          domain: .edge, acquiredAt: now, renewedAt: now, expiresAt: now.addingTimeInterval(1))
        var view = EtcdLeaseStore.WatchView()
        #expect(view.replace(with: [lease], now: now) == [.added(lease)])
        var moved = lease
        moved.subnets = [try .init(parsing: "10.0.2.0/24")]
        #expect(view.set("edge-a", moved, now: now) == .changed(moved))
        // etcd deletes an unrenewed lease after its expiry: the watcher reports it expired.
        #expect(view.set("edge-a", nil, now: now.addingTimeInterval(2)) == .expired(moved))
        #expect(view.set("edge-a", lease, now: now) == .added(lease))
        #expect(view.set("edge-a", nil, now: now) == .deleted(lease))
        #expect(EtcdLeaseStore.etcdTTL(.milliseconds(1500)) == 3 && EtcdLeaseStore.etcdTTL(.seconds(60)) == 61)
    }
}
