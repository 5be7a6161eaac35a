import Foundation

/// One version of the embedded database: a change counter and the leases with their
/// encoded lines. Pure: `encoded()` and `decode(_:path:)` are the file format.
///
/// ```text
/// {"format":"terway-edge-leases","revision":3,"version":1}
/// 2 {"acquiredAt":"…","kind":"TerwayEdgeLease","node":"edge-1",…}
/// 3 {"acquiredAt":"…","kind":"TerwayEdgeLease","node":"edge-2",…}
/// ```
/// The header's revision grows by one with every write; each line starts with the revision
/// at which its record was last written. Unchanged records keep their encoded line, so a
/// write costs one encode per changed lease.
struct LeaseDatabase: Sendable, Equatable {
    static let format = "terway-edge-leases"
    static let version = 1
    /// Bytes read to find the header line: ours is under 80.
    static let headerReadLimit = 256

    private(set) var revision: UInt64 = 0
    private var entries: [String: Entry] = [:]

    private struct Entry: Sendable, Equatable {
        let lease: Lease
        let line: [UInt8]
    }

    init() {}

    /// Sorted by node, for listing.
    var leases: [Lease] { entries.keys.sorted().map { entries[$0]!.lease } }
    /// In no particular order: cheaper for the planner, which only scans them.
    var unorderedLeases: [Lease] { entries.values.map(\.lease) }
    var count: Int { entries.count }

    func lease(of node: String) -> Lease? { entries[node]?.lease }

    /// Writes `puts` and removes `deletes` as one new revision; returns `puts` as stored.
    mutating func commit(puts: [Lease], deletes: [String] = []) -> [Lease] {
        revision += 1
        for node in deletes { entries[node] = nil }
        return puts.map { lease in
            var stored = lease
            stored.revision = revision
            entries[lease.node] = Entry(lease: stored, line: Array("\(revision) ".utf8) + LeaseRecordCodec.encode(stored) + [0x0A])
            return stored
        }
    }

    /// The file's bytes. Lines come in dictionary order: sorting 5,000 names on every
    /// write costs more than it helps a reader, who has `ipam leases` for sorted output.
    func encoded() -> [UInt8] {
        var bytes = Self.header(revision: revision)
        bytes.reserveCapacity(entries.values.reduce(bytes.count) { $0 + $1.line.count })
        for entry in entries.values { bytes += entry.line }
        return bytes
    }

    static func header(revision: UInt64) -> [UInt8] {
        Array("{\"format\":\"\(format)\",\"revision\":\(revision),\"version\":\(version)}\n".utf8)
    }

    /// The revision in the header at the start of `bytes`; nil when there is no complete header.
    static func revision(inHeaderOf bytes: [UInt8], path: String) throws(LeaseStoreError) -> UInt64? {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        return try decodeHeader(bytes[..<newline], path: path)
    }

    /// Decodes a whole file; `path` names it in errors. An empty file is an empty database.
    static func decode(_ bytes: [UInt8], path: String) throws(LeaseStoreError) -> LeaseDatabase {
        var database = LeaseDatabase()
        guard !bytes.isEmpty else { return database }
        guard bytes.last == 0x0A else {
            throw .corruptRecord(key: path, reason: "the file ends in the middle of a line (truncated by something other than TerwayEdge?)")
        }
        let lines = bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false)
        database.revision = try decodeHeader(lines[0], path: path)
        for (offset, line) in lines.dropFirst().enumerated() {
            let key = "\(path):\(offset + 2)"
            guard let space = line.firstIndex(of: 0x20),
                  let revision = UInt64(String(decoding: line[..<space], as: UTF8.self)) else {
                throw .corruptRecord(key: key, reason: "a lease line starts with its revision and a space")
            }
            guard revision >= 1, revision <= database.revision else {
                throw .corruptRecord(key: key, reason: "revision \(revision) is outside 1...\(database.revision), the file's revision")
            }
            let lease = try LeaseRecordCodec.decode(line[line.index(after: space)...], key: key, revision: revision)
            guard database.entries[lease.node] == nil else {
                throw .corruptRecord(key: key, reason: "node '\(lease.node)' has a second lease line")
            }
            database.entries[lease.node] = Entry(lease: lease, line: Array(line) + [0x0A])
        }
        return database
    }

    private struct Header: Decodable {
        let format: String?
        let revision: UInt64?
        let version: Int?
    }

    private static func decodeHeader(_ line: ArraySlice<UInt8>, path: String) throws(LeaseStoreError) -> UInt64 {
        let foreign = LeaseStoreError.corruptRecord(
            key: path, reason: "not a TerwayEdge lease database: the first line is not a {\"format\":\"\(format)\",...} header")
        guard line.first == UInt8(ascii: "{"), let header = try? JSONDecoder().decode(Header.self, from: Data(line)),
              header.format == format else { throw foreign }
        guard header.version == version else {
            throw .corruptRecord(key: path, reason: "database version \(header.version.map(String.init) ?? "missing") is not the version \(version) this build reads")
        }
        guard let revision = header.revision else { throw .corruptRecord(key: path, reason: "the header has no revision") }
        return revision
    }
}
