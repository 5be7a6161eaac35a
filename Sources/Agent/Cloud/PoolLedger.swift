import Foundation

/// What the cloud role owns, on disk: the ENIs it made, every secondary address on them and
/// who holds it, and the cloud mutations in flight (intents). A snapshot plus an append-only
/// journal of changes: each change is one `write` of one line, so a SIGKILL keeps every
/// change made before it (a torn last line is dropped on load); an intent is also synced to
/// disk before its call goes out. On load the journal is folded into a new snapshot
/// (written aside and renamed over the old one) and started afresh.
final class PoolLedger {
    struct ENI: Codable, Hashable, Sendable {
        var id: String
        var mac: String
        /// Stable for the ENI's life on this node: its routing table is `CloudPodRouting.table(slot:)`.
        var slot: Int
        var vSwitchId: String
        var gateway: String
        var cidr: String
        /// Set where the vSwitch has an IPv6 CIDR block.
        var ipv6Gateway: String?
        var ipv6Cidr: String?
    }

    struct Owner: Codable, Hashable, Sendable {
        var containerID: String
        var ifName: String
        var namespace: String?
        var name: String?
    }

    struct Address: Codable, Hashable, Sendable {
        var address: String
        var eni: String
        /// nil: idle in the pool.
        var owner: Owner?
        /// The IPv6 address granted with this one, on the same ENI (dual-stack ENIs).
        var ipv6: String?
        /// Seconds since 1970 when it last became idle.
        var idleSince: Double
    }

    /// A cloud mutation about to be made, with the ClientToken it is made with: replayed
    /// with the same token after a crash, the service answers what it did the first time.
    struct Intent: Codable, Hashable, Sendable {
        enum Action: String, Codable, Sendable { case createENI, attachENI, assign, assignIPv6, unassign, detachENI, deleteENI }
        var token: String
        var action: Action
        var eni: String?
        var vSwitchId: String?
        var addresses: [String]?
        var count: Int?
        /// createENI on a dual-stack vSwitch: the IPv6 addresses made with the ENI.
        var ipv6Count: Int?
    }

    struct State: Codable, Sendable {
        var enis: [String: ENI] = [:]
        var addresses: [String: Address] = [:]
        var intents: [String: Intent] = [:]
    }

    enum Entry: Codable {
        case eni(ENI)
        case eniGone(String)
        case address(Address)
        case addressGone(String)
        case intent(Intent)
        case done(String)
    }

    private(set) var state = State()
    let folder: String
    private var journal: Int32 = -1
    private let encoder = JSONEncoder()

    var snapshotPath: String { folder + "/ledger.json" }
    var journalPath: String { folder + "/ledger.journal" }

    init(folder: String) throws {
        self.folder = folder
        encoder.outputFormatting = [.sortedKeys]
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if let data = FileManager.default.contents(atPath: snapshotPath) {
            do { state = try JSONDecoder().decode(State.self, from: data) } catch {
                throw LedgerError(description: "the ledger \(snapshotPath) is unreadable (\(error)); move it away only after the cloud's ENIs of this node were checked by hand")
            }
        }
        if let data = FileManager.default.contents(atPath: journalPath) {
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                // Only the last line can be torn (the write a SIGKILL cut): skip what does not decode.
                guard let entry = try? decoder.decode(Entry.self, from: Data(line)) else { continue }
                Self.apply(entry, to: &state)
            }
        }
        try compact()
    }

    deinit { if journal >= 0 { close(journal) } }

    /// Folds the journal into a fresh snapshot and starts an empty journal.
    func compact() throws {
        let temporary = snapshotPath + ".new"
        try encoder.encode(state).write(to: URL(fileURLWithPath: temporary))
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(temporary, snapshotPath) == 0 else {
            throw LedgerError(description: "cannot replace \(snapshotPath): \(String(cString: strerror(errno)))")
        }
        if journal >= 0 { close(journal) }
        journal = open(journalPath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard journal >= 0 else { throw LedgerError(description: "cannot open \(journalPath): \(String(cString: strerror(errno)))") }
        entriesSinceCompaction = 0
    }

    private var entriesSinceCompaction = 0

    /// Applies a change and appends it to the journal; intents reach the disk before this returns.
    func record(_ entry: Entry) throws {
        Self.apply(entry, to: &state)
        var line = try encoder.encode(entry)
        line.append(UInt8(ascii: "\n"))
        let written = line.withUnsafeBytes { Glibc.write(journal, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw LedgerError(description: "cannot append to \(journalPath): \(String(cString: strerror(errno)))")
        }
        if case .intent = entry { fdatasync(journal) }
        entriesSinceCompaction += 1
        if entriesSinceCompaction >= 10_000 { try compact() }
    }

    static func apply(_ entry: Entry, to state: inout State) {
        switch entry {
        case .eni(let eni): state.enis[eni.id] = eni
        case .eniGone(let id):
            state.enis[id] = nil
            state.addresses = state.addresses.filter { $0.value.eni != id }
        case .address(let address): state.addresses[address.address] = address
        case .addressGone(let address): state.addresses[address] = nil
        case .intent(let intent): state.intents[intent.token] = intent
        case .done(let token): state.intents[token] = nil
        }
    }
}

struct LedgerError: Error, CustomStringConvertible {
    let description: String
}
