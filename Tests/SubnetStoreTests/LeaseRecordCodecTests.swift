import Foundation
import NetworkCore
@testable import SubnetStore
import Testing

@Suite struct LeaseRecordCodecTests {
    static let now = Date(timeIntervalSince1970: 1_795_661_700.123)   // 2026-11-26T02:55:00.123Z
    static let lease = Lease(node: "edge-1", subnets: [IPPrefix("fd00:10:0:1::/64")!, IPPrefix("10.0.1.0/24")!],
                             nodeAddress: IPAddress("192.168.10.5")!, domain: .edge, acquiredAt: now,
                             renewedAt: now, expiresAt: now + 3600, revision: 7,
                             backendData: ["bgp.router-id": "10.0.1.1"])

    @Test func encodesTheDocumentedShape() {
        let text = String(decoding: LeaseRecordCodec.encode(Self.lease), as: UTF8.self)
        #expect(text == #"{"acquiredAt":"2026-11-26T02:55:00.123Z","data":{"bgp.router-id":"10.0.1.1"},"domain":"edge","expiresAt":"2026-11-26T03:55:00.123Z","kind":"TerwayEdgeLease","node":"edge-1","nodeAddress":"192.168.10.5","renewedAt":"2026-11-26T02:55:00.123Z","subnets":["10.0.1.0/24","fd00:10:0:1::/64"],"version":1}"#)
    }

    @Test func roundTrips() throws {
        let decoded = try LeaseRecordCodec.decode(LeaseRecordCodec.encode(Self.lease), key: "k", revision: 7, expectedNode: "edge-1")
        #expect(decoded == Self.lease)
        var cloud = Self.lease
        cloud.domain = .cloud
        cloud.subnets = [IPPrefix("10.0.1.0/24")!]
        cloud.backendData = [:]
        #expect(try LeaseRecordCodec.decode(LeaseRecordCodec.encode(cloud), key: "k", revision: 7) == cloud)
    }

    /// Replaces one field of the valid record with `value` (raw JSON) or removes it (nil).
    private func mutated(_ field: String, _ value: String?) -> [UInt8] {
        var object = try! JSONSerialization.jsonObject(with: Data(LeaseRecordCodec.encode(Self.lease))) as! [String: Any]
        object[field] = value.map { try! JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) }
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    @Test(arguments: [
        ("kind", nil, "no 'kind' field: not a TerwayEdge lease record"),
        ("kind", #""Node""#, "kind is 'Node', expected 'TerwayEdgeLease': not a TerwayEdge lease record"),
        ("version", "2", "record version 2 is not the version 1 this build reads"),
        ("node", nil, "field 'node' is missing"),
        ("node", #""Edge_1""#, "field 'node': node name 'Edge_1' is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending alphanumeric)"),
        ("subnets", #"["10.0.1.5/24"]"#, "field 'subnets[0]': '10.0.1.5/24' has host bits set; the block is 10.0.1.0/24"),
        ("subnets", "[]", "field 'subnets' is empty; a lease holds at least one subnet"),
        ("subnets", #"["10.0.1.0/24","10.0.2.0/24"]"#, #"field 'subnets' holds two subnets of one family: ["10.0.1.0/24", "10.0.2.0/24"]"#),
        ("subnets", #""10.0.1.0/24""#, "field 'subnets' is not of type Array<Any>"),
        ("nodeAddress", #""192.168.10""#, "field 'nodeAddress': '192.168.10' is not an IPv4 or IPv6 address"),
        ("domain", #""core""#, "field 'domain': 'core' is neither 'cloud' nor 'edge'"),
        ("expiresAt", #""tomorrow""#, "field 'expiresAt': 'tomorrow' is not an RFC 3339 UTC time like 2026-11-26T02:55:00.123Z"),
        ("expiresAt", #""2026-02-31T00:00:00.000Z""#, "field 'expiresAt': '2026-02-31T00:00:00.000Z' is not an RFC 3339 UTC time like 2026-11-26T02:55:00.123Z"),
        ("renewedAt", #""2026-11-26T01:00:00.000Z""#, "times out of order: acquiredAt 2026-11-26T02:55:00.123Z, renewedAt 2026-11-26T01:00:00.000Z, expiresAt 2026-11-26T03:55:00.123Z"),
        ("data", #"{"bad key":"x"}"#, "field 'data': backend data key 'bad key' must be 1 to 63 characters of A-Z a-z 0-9 . _ / -"),
        ("data", #"{"k":1}"#, "field 'data.k' is not of type String"),
    ] as [(String, String?, String)])
    func everyFieldIsValidated(field: String, value: String?, reason: String) {
        #expect(throws: LeaseStoreError.corruptRecord(key: "/leases/edge-1", reason: reason)) {
            try LeaseRecordCodec.decode(mutated(field, value), key: "/leases/edge-1", revision: 1)
        }
    }

    @Test func refusesGarbageOversizeAndCopiedRecords() {
        #expect(throws: LeaseStoreError.self) { try LeaseRecordCodec.decode(Array("not json".utf8), key: "k", revision: 1) }
        #expect(throws: LeaseStoreError.corruptRecord(key: "k", reason: "16385 bytes is larger than the 16384 a lease record may have")) {
            try LeaseRecordCodec.decode([UInt8](repeating: 0x20, count: 16385), key: "k", revision: 1)
        }
        #expect(throws: LeaseStoreError.corruptRecord(key: "k", reason: "record names node 'edge-1' but is stored under node 'edge-2'")) {
            try LeaseRecordCodec.decode(LeaseRecordCodec.encode(Self.lease), key: "k", revision: 1, expectedNode: "edge-2")
        }
    }

    @Test func timestampsAreExactToTheMillisecond() {
        for seconds in [0.0, 1.001, 951_782_400.999, 4_102_444_799.5] {
            let date = Date(timeIntervalSince1970: seconds).wholeMilliseconds
            #expect(RecordTimestamp.parse(RecordTimestamp.format(date)) == date)
        }
        #expect(RecordTimestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        for bad in ["2026-11-26T02:55:00Z", "2026-11-26 02:55:00.123Z", "2026-13-01T00:00:00.000Z", "2026-11-26T24:00:00.000Z", "2026-11-26T02:55:00.123+01:00"] {
            #expect(RecordTimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func requestLimitsAreChecked() {
        let address = IPAddress("10.1.1.1")!
        #expect(throws: Never.self) { try LeaseRequest(node: "edge-1.dc-2", nodeAddress: address).validate() }
        for node in ["", "-edge", "edge-", "a..b", "EDGE", String(repeating: "a", count: 254)] {
            #expect(throws: LeaseStoreError.self, "\(node)") { try LeaseRequest(node: node, nodeAddress: address).validate() }
        }
        #expect(throws: LeaseStoreError.self) { try LeaseRequest(node: "a", nodeAddress: address, ttl: .milliseconds(10)).validate() }
        let tooMany = Dictionary(uniqueKeysWithValues: (0...32).map { ("k\($0)", "v") })
        #expect(throws: LeaseStoreError.self) { try LeaseRequest(node: "a", nodeAddress: address, backendData: tooMany).validate() }
    }
}
