import Foundation
import NetworkCore

/// The embedded database: a snapshot followed by an append-only log, in one text file.
/// Pure: this type only turns bytes into leases and changes into bytes; `LeaseFile` does I/O.
///
/// ```text
/// {"format":"terway-edge-leases","generation":"9f0c…","revision":3,"version":1}
/// 2 5b1e0c2a9d4f7a31 {"acquiredAt":"…","kind":"TerwayEdgeLease","node":"edge-1",…}
/// 3 0c7d22e1b9a84f10 {"acquiredAt":"…","kind":"TerwayEdgeLease","node":"edge-2",…}
/// 4 77a0f1c2d3e4b5a6 -edge-1
/// ```
/// Every line after the header is an operation, applied in order: `<revision> <checksum>
/// <record>` writes a node's lease, `<revision> <checksum> -<node>` removes it. The checksum
/// (FNV-1a 64 over revision and payload) catches a torn append: a last line that is
/// incomplete or fails its checksum is a write that never finished and is ignored (and cut
/// off by the next writer); a bad line anywhere else is corruption and an error.
///
/// A line whose checksum holds but whose record cannot be decoded (too large, a newer
/// version, a foreign writer's) is kept aside as unreadable, by the node it names: lists
/// and watches leave it out (the store reports it), compaction keeps it, and acquiring is
/// refused while one exists, since its subnets are unknown. A later write or removal of
/// that node supersedes it.
///
/// A change appends its lines (one write, one fdatasync). When the log has grown to twice
/// the live leases, the writer compacts instead: it writes a fresh snapshot with a new
/// `generation` and renames it over the file. Readers that cached the file continue from
/// the byte they reached, as long as the generation is the one they read.
struct LeaseDatabase: Sendable, Equatable {
    static let format = "terway-edge-leases"
    static let version = 1
    /// Bytes read to find the header line: ours is under 110.
    static let headerReadLimit = 256

    /// Which snapshot this version descends from; nil for a database never written.
    private(set) var generation: String?
    private(set) var revision: UInt64 = 0
    private var entries: [String: Entry] = [:]
    /// Records that cannot be decoded, by node (or by line when even that is unreadable).
    private var unreadableEntries: [String: Unreadable] = [:]
    /// Operation lines in the file after the header: compaction is due when far above `count`.
    private(set) var lineCount = 0
    /// Bytes of the file taken in so far: the header and every complete, valid line.
    private(set) var consumed = 0

    /// Which content this is: the log only grows within a generation, so two databases with
    /// the same generation that took in as many bytes hold the same leases.
    struct Version: Hashable {
        let generation: String?
        let consumed: Int
    }

    var contentVersion: Version { Version(generation: generation, consumed: consumed) }

    private struct Entry: Sendable, Equatable {
        let lease: Lease
        /// The lease's log line, reused when compacting.
        let line: [UInt8]
    }

    private struct Unreadable: Sendable, Equatable {
        let error: LeaseStoreError
        let line: [UInt8]
    }

    /// Why each unreadable record cannot be used, sorted by key.
    var unreadable: [LeaseStoreError] { unreadableEntries.keys.sorted().map { unreadableEntries[$0]!.error } }

    /// The unreadable record stored for `node`, if any.
    func unreadable(of node: String) -> LeaseStoreError? { unreadableEntries[node]?.error }

    init() {}

    /// Sorted by node, for listing.
    var leases: [Lease] { entries.keys.sorted().map { entries[$0]!.lease } }
    /// In no particular order: cheaper for the planner, which only scans them.
    var unorderedLeases: [Lease] { entries.values.map(\.lease) }
    var count: Int { entries.count }

    func lease(of node: String) -> Lease? { entries[node]?.lease }

    /// True when rewriting beats appending: the log holds twice the live leases, plus slack.
    var needsCompaction: Bool { generation == nil || lineCount > 2 * entries.count + 64 }

    // MARK: - Writing

    /// Applies `deletes` then `puts` as one new revision; returns the stored leases and the
    /// log lines to append. Deletes come first so that any prefix of the lines that reaches
    /// the disk is a consistent state (a reclaimed lease gone before its subnet is reused).
    mutating func commit(puts: [Lease], deletes: [String] = []) -> (stored: [Lease], lines: [UInt8]) {
        revision += 1
        var lines: [UInt8] = []
        for node in deletes where entries.removeValue(forKey: node) != nil || unreadableEntries.removeValue(forKey: node) != nil {
            lines += Self.line(revision: revision, payload: Array("-\(node)".utf8))
            lineCount += 1
        }
        let stored = puts.map { lease in
            var stored = lease
            stored.revision = revision
            let line = Self.line(revision: revision, payload: LeaseRecordCodec.encode(stored))
            entries[lease.node] = Entry(lease: stored, line: line)
            unreadableEntries[lease.node] = nil
            lines += line
            lineCount += 1
            return stored
        }
        return (stored, lines)
    }

    /// Records that `count` appended bytes reached the file.
    mutating func appended(_ count: Int) { consumed += count }

    /// The whole file as a fresh snapshot under a new generation; the database now describes it.
    mutating func compacted() -> [UInt8] {
        generation = String(UInt64.random(in: .min ... .max), radix: 16)
        var bytes = Self.header(generation: generation!, revision: revision)
        bytes.reserveCapacity(entries.values.reduce(bytes.count) { $0 + $1.line.count })
        for entry in entries.values { bytes += entry.line }
        for entry in unreadableEntries.values { bytes += entry.line }
        lineCount = entries.count + unreadableEntries.count
        consumed = bytes.count
        return bytes
    }

    static func header(generation: String, revision: UInt64) -> [UInt8] {
        Array("{\"format\":\"\(format)\",\"generation\":\"\(generation)\",\"revision\":\(revision),\"version\":\(version)}\n".utf8)
    }

    /// `<revision> <checksum> <payload>\n`
    static func line(revision: UInt64, payload: [UInt8]) -> [UInt8] {
        let prefix: [UInt8] = Array("\(revision) ".utf8)
        let hex = String(FNV1a.hash(prefix + payload), radix: 16)
        let checksum: [UInt8] = Array((String(repeating: "0", count: 16 - hex.count) + hex + " ").utf8)
        return prefix + checksum + payload + [0x0A]
    }

    // MARK: - Reading

    /// The generation named in the header at the start of `bytes`; nil without a complete header.
    static func generation(inHeaderOf bytes: [UInt8], path: String) throws(LeaseStoreError) -> String? {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        return try decodeHeader(bytes[..<newline], path: path).generation
    }

    /// Decodes a whole file; `path` names it in errors. An empty file is an empty database.
    static func decode(_ bytes: [UInt8], path: String) throws(LeaseStoreError) -> LeaseDatabase {
        var database = LeaseDatabase()
        guard !bytes.isEmpty else { return database }
        guard let newline = bytes.firstIndex(of: 0x0A) else {
            throw .corruptRecord(key: path, reason: "not a TerwayEdge lease database: no complete header line")
        }
        let header = try decodeHeader(bytes[..<newline], path: path)
        database.generation = header.generation
        database.revision = header.revision
        database.consumed = newline + 1
        try database.apply(bytes[(newline + 1)...], path: path)
        return database
    }

    /// Applies the bytes that follow `consumed` (an incremental read). A trailing incomplete
    /// or failing line is left unconsumed: it is an append in progress or one that never finished.
    mutating func apply(_ bytes: ArraySlice<UInt8>, path: String) throws(LeaseStoreError) {
        var lineStart = bytes.startIndex
        var lineNumber = lineCount + 2
        while let newline = bytes[lineStart...].firstIndex(of: 0x0A) {
            let line = bytes[lineStart..<newline]
            let isLast = newline + 1 == bytes.endIndex
            do {
                try applyLine(line, key: "\(path):\(lineNumber)")
            } catch .corruptRecord(_, let reason) where isLast && reason.hasPrefix(Self.checksumFailure) {
                return   // a torn final append
            }
            consumed += line.count + 1
            lineCount += 1
            lineNumber += 1
            lineStart = newline + 1
        }
    }

    private static let checksumFailure = "checksum"

    private mutating func applyLine(_ line: ArraySlice<UInt8>, key: String) throws(LeaseStoreError) {
        let fields = line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let revision = UInt64(String(decoding: fields[0], as: UTF8.self)), revision >= 1,
              fields[1].count == 16, let checksum = UInt64(String(decoding: fields[1], as: UTF8.self), radix: 16)
        else { throw .corruptRecord(key: key, reason: "\(Self.checksumFailure): the line is not '<revision> <checksum> <record>'") }
        let payload = fields[2]
        guard FNV1a.hash(fields[0] + [0x20] + payload) == checksum else {
            throw .corruptRecord(key: key, reason: "\(Self.checksumFailure) mismatch: the line was changed or only partly written")
        }
        self.revision = max(self.revision, revision)
        if payload.first == UInt8(ascii: "-") {
            let node = String(decoding: payload.dropFirst(), as: UTF8.self)
            do { try LeaseLimits.validateNodeName(node) } catch { throw .corruptRecord(key: key, reason: "removal of a bad node name: \(error)") }
            entries[node] = nil
            unreadableEntries[node] = nil
        } else {
            do {
                let lease = try LeaseRecordCodec.decode(payload, key: key, revision: revision)
                entries[lease.node] = Entry(lease: lease, line: Array(line) + [0x0A])
                unreadableEntries[lease.node] = nil
            } catch {
                // Intact but unusable: set aside under the node it names, so that node's next write replaces it.
                let node = Self.nodeNamed(in: payload) ?? key
                entries[node] = nil
                unreadableEntries[node] = Unreadable(error: error, line: Array(line) + [0x0A])
            }
        }
    }

    /// The `node` field of a record that does not decode, when it is a valid node name.
    private static func nodeNamed(in payload: ArraySlice<UInt8>) -> String? {
        struct Named: Decodable { let node: String? }
        guard let node = (try? JSONDecoder().decode(Named.self, from: Data(payload)))?.node,
              (try? LeaseLimits.validateNodeName(node)) != nil else { return nil }
        return node
    }

    private struct Header: Decodable {
        let format: String?
        let generation: String?
        let revision: UInt64?
        let version: Int?
    }

    private static func decodeHeader(_ line: ArraySlice<UInt8>, path: String) throws(LeaseStoreError) -> (generation: String, revision: UInt64) {
        guard line.first == UInt8(ascii: "{"), let header = try? JSONDecoder().decode(Header.self, from: Data(line)),
              header.format == format else {
            throw .corruptRecord(key: path, reason: "not a TerwayEdge lease database: the first line is not a {\"format\":\"\(format)\",...} header")
        }
        guard header.version == version else {
            throw .corruptRecord(key: path, reason: "database version \(header.version.map(String.init) ?? "missing") is not the version \(version) this build reads")
        }
        guard let generation = header.generation, let revision = header.revision else {
            throw .corruptRecord(key: path, reason: "the header lacks its generation or revision")
        }
        return (generation, revision)
    }
}
