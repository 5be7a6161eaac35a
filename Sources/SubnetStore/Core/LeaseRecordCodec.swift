import Formatting
import Foundation
import NetworkCore

/// The stored form of one lease: a small JSON object, identical in every store (embedded
/// file line, etcd value, Kubernetes annotation). Pure: bytes in, lease out, no I/O.
///
/// ```json
/// {"acquiredAt":"2026-11-26T02:55:00.123Z","data":{"bgp.router-id":"10.0.1.1"},"domain":"edge",
///  "expiresAt":"2026-11-26T03:55:00.123Z","kind":"TerwayEdgeLease","node":"edge-1",
///  "nodeAddress":"192.168.10.5","renewedAt":"2026-11-26T02:55:00.123Z",
///  "subnets":["10.0.1.0/24","fd00:10:0:1::/64"],"version":1}
/// ```
/// The revision is not part of the record: each store keeps it beside the value (etcd's
/// mod_revision, the embedded file's line prefix), and passes it to `decode`.
public enum LeaseRecordCodec {
    public static let kind = "TerwayEdgeLease"
    public static let version = 1
    /// The one size limit of a record: writes above it are refused (`checkSize`), and a
    /// reader skips a stored record above it before parsing. A lease is a few hundred bytes.
    public static let maxRecordSize = 16 * 1024

    /// Refuses a lease whose record would exceed `maxRecordSize`, naming the limit: the field
    /// limits alone allow more backend data than one record may hold.
    public static func checkSize(of lease: Lease) throws(LeaseStoreError) {
        let size = encode(lease).count
        guard size <= maxRecordSize else {
            throw .invalidRequest(node: lease.node, reason: "the lease record would be \(size) bytes, more than the \(maxRecordSize) a record may have; keep backend data smaller")
        }
    }

    public static func encode(_ lease: Lease) -> [UInt8] {
        let record = Record(kind: kind, version: version, node: lease.node,
                            subnets: lease.subnets.map(\.description),
                            nodeAddress: lease.nodeAddress.description, domain: lease.domain.rawValue,
                            acquiredAt: RecordTimestamp.format(lease.acquiredAt),
                            renewedAt: RecordTimestamp.format(lease.renewedAt),
                            expiresAt: RecordTimestamp.format(lease.expiresAt),
                            data: lease.backendData, owner: lease.owner.isEmpty ? nil : lease.owner)
        // Encoding plain strings and a string map cannot fail.
        return Array(try! encoder.encode(record))
    }

    /// Decodes and validates every field. `key` names the record in errors; when
    /// `expectedNode` is given, a record naming another node is refused (a copied value).
    public static func decode(_ bytes: some Collection<UInt8>, key: String, revision: UInt64,
                              expectedNode: String? = nil) throws(LeaseStoreError) -> Lease {
        func corrupt(_ reason: String) -> LeaseStoreError { .corruptRecord(key: key, reason: reason) }
        guard bytes.count <= maxRecordSize else {
            throw corrupt("\(bytes.count) bytes is larger than the \(maxRecordSize) a lease record may have")
        }
        let record: Record.Loose
        do {
            record = try JSONDecoder().decode(Record.Loose.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw corrupt(describe(error))
        } catch {
            throw corrupt("not JSON: \(error)")
        }
        guard let recordKind = record.kind else { throw corrupt("no 'kind' field: not a TerwayEdge lease record") }
        guard recordKind == kind else { throw corrupt("kind is '\(recordKind)', expected '\(kind)': not a TerwayEdge lease record") }
        guard let recordVersion = record.version else { throw corrupt("no 'version' field") }
        guard recordVersion == version else {
            throw corrupt("record version \(recordVersion) is not the version \(version) this build reads")
        }
        func required<T>(_ value: T?, _ field: String) throws(LeaseStoreError) -> T {
            guard let value else { throw corrupt("field '\(field)' is missing") }
            return value
        }
        let node = try required(record.node, "node")
        do { try LeaseLimits.validateNodeName(node) } catch { throw corrupt("field 'node': \(error)") }
        if let expectedNode, expectedNode != node {
            throw corrupt("record names node '\(node)' but is stored under node '\(expectedNode)'")
        }
        let subnetTexts = try required(record.subnets, "subnets")
        var subnets: [IPPrefix] = []
        for (index, text) in subnetTexts.enumerated() {
            do { subnets.append(try IPPrefix(parsing: text)) } catch { throw corrupt("field 'subnets[\(index)]': \(error)") }
        }
        guard !subnets.isEmpty else { throw corrupt("field 'subnets' is empty; a lease holds at least one subnet") }
        guard Set(subnets.map(\.family)).count == subnets.count else {
            throw corrupt("field 'subnets' holds two subnets of one family: \(subnetTexts)")
        }
        let addressText = try required(record.nodeAddress, "nodeAddress")
        guard let nodeAddress = IPAddress(addressText) else {
            throw corrupt("field 'nodeAddress': '\(addressText)' is not an IPv4 or IPv6 address")
        }
        let domainText = try required(record.domain, "domain")
        guard let domain = NetworkDomain(rawValue: domainText) else {
            throw corrupt("field 'domain': '\(domainText)' is neither 'cloud' nor 'edge'")
        }
        func time(_ value: String?, _ field: String) throws(LeaseStoreError) -> Date {
            let text = try required(value, field)
            guard let date = RecordTimestamp.parse(text) else {
                throw corrupt("field '\(field)': '\(text)' is not an RFC 3339 UTC time like 2026-11-26T02:55:00.123Z")
            }
            return date
        }
        let acquiredAt = try time(record.acquiredAt, "acquiredAt")
        let renewedAt = try time(record.renewedAt, "renewedAt")
        let expiresAt = try time(record.expiresAt, "expiresAt")
        guard acquiredAt <= renewedAt, renewedAt <= expiresAt else {
            throw corrupt("times out of order: acquiredAt \(RecordTimestamp.format(acquiredAt)), renewedAt \(RecordTimestamp.format(renewedAt)), expiresAt \(RecordTimestamp.format(expiresAt))")
        }
        let data = record.data ?? [:]
        do { try LeaseLimits.validateBackendData(data) } catch { throw corrupt("field 'data': \(error)") }
        let owner = record.owner ?? ""
        do { try LeaseLimits.validateOwner(owner) } catch { throw corrupt("field 'owner': \(error)") }
        return Lease(node: node, subnets: subnets, nodeAddress: nodeAddress, domain: domain,
                     acquiredAt: acquiredAt, renewedAt: renewedAt, expiresAt: expiresAt,
                     revision: revision, backendData: data, owner: owner)
    }

    private static let encoder = StableJSON.encoder(pretty: false)

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the record" : "field '\(text.dropFirst(text.hasPrefix(".") ? 1 : 0))'"
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)) is not of type \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) is null, expected \(type)"
        case .keyNotFound(let key, _): return "field '\(key.stringValue)' is missing"
        case .dataCorrupted(let context): return "not valid JSON (\(context.debugDescription))"
        @unknown default: return "\(error)"
        }
    }

    /// The JSON shape. `Loose` reads every field as optional so that a missing field is
    /// reported by name instead of as a generic decoding failure.
    private struct Record: Encodable {
        let kind: String
        let version: Int
        let node: String
        let subnets: [String]
        let nodeAddress: String
        let domain: String
        let acquiredAt: String
        let renewedAt: String
        let expiresAt: String
        let data: [String: String]
        /// Absent in records written before owners existed (still version 1: readers ignore it).
        let owner: String?

        struct Loose: Decodable {
            let kind: String?
            let version: Int?
            let node: String?
            let subnets: [String]?
            let nodeAddress: String?
            let domain: String?
            let acquiredAt: String?
            let renewedAt: String?
            let expiresAt: String?
            let data: [String: String]?
            let owner: String?
        }
    }
}
