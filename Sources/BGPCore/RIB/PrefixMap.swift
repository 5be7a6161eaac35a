/// An open-addressing hash map from prefix to a 32-bit value, for the RIB's million-entry
/// tables. Swift's Dictionary hashes with seeded SipHash, which was half the ingest time of a
/// full table; prefixes are not attacker-chosen keys in a way that matters here (a peer can
/// only send as many as max-prefix allows), so a multiplicative hash over the packed key does.
/// Linear probing, power-of-two capacity, at most 3/4 full, backward-shift deletion. Each
/// slot is one `Key.Entry`: for IPv4 a single UInt64 holding prefix and value.
struct PrefixMap<Key: PrefixMapKey>: Sendable {
    private var entries: [Key.Entry]
    private(set) var count = 0
    private var mask: Int

    init() {
        entries = Array(repeating: Key.emptyEntry, count: 16)
        mask = 15
    }

    /// A slot index; stable until the next insert or removal.
    typealias Slot = Int

    private func home(_ key: Key) -> Int {
        Int(truncatingIfNeeded: (key.hashBits &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    func slot(of key: Key) -> Slot? {
        var index = home(key)
        while true {
            let entry = entries[index]
            if entry == Key.emptyEntry { return nil }
            if Key.key(of: entry) == key { return index }
            index = (index + 1) & mask
        }
    }

    subscript(key: Key) -> UInt32? { slot(of: key).map { Key.value(of: entries[$0]) } }
    func value(at slot: Slot) -> UInt32 { Key.value(of: entries[slot]) }
    func key(at slot: Slot) -> Key { Key.key(of: entries[slot]) }
    mutating func setValue(_ value: UInt32, at slot: Slot) {
        entries[slot] = Key.entry(Key.key(of: entries[slot]), value)
    }

    /// Adds a key known to be absent. `value` must be below `Key.valueLimit`.
    mutating func insertNew(_ key: Key, _ value: UInt32) {
        if (count + 1) * 4 > entries.count * 3 { grow() }
        place(Key.entry(key, value), home: home(key))
        count += 1
    }

    private mutating func place(_ entry: Key.Entry, home: Int) {
        var index = home
        while entries[index] != Key.emptyEntry { index = (index + 1) & mask }
        entries[index] = entry
    }

    private mutating func grow() {
        let old = entries
        entries = Array(repeating: Key.emptyEntry, count: old.count * 2)
        mask = entries.count - 1
        for entry in old where entry != Key.emptyEntry {
            place(entry, home: home(Key.key(of: entry)))
        }
    }

    /// Removes the entry in `slot`, shifting later entries of its probe run back so lookups
    /// never stop at a hole.
    mutating func remove(at slot: Slot) {
        var hole = slot
        var index = (slot + 1) & mask
        while entries[index] != Key.emptyEntry {
            if backwardShiftMoves(home: home(Key.key(of: entries[index])), hole: hole, index: index) {
                entries[hole] = entries[index]
                hole = index
            }
            index = (index + 1) & mask
        }
        entries[hole] = Key.emptyEntry
        count -= 1
    }

    /// Slots run from 0 to `capacity - 1`; walk them with `isOccupied`.
    var capacity: Int { entries.count }
    func isOccupied(_ slot: Slot) -> Bool { entries[slot] != Key.emptyEntry }
}

/// Whether, after a removal left `hole`, the entry at `index` (whose home slot is `home`)
/// moves into the hole: unless its home lies cyclically in (hole, index].
func backwardShiftMoves(home: Int, hole: Int, index: Int) -> Bool {
    let stays = hole <= index ? (hole < home && home <= index) : (hole < home || home <= index)
    return !stays
}

/// A key the map can store: cheap hash bits, and how a key and its value share one slot.
protocol PrefixMapKey: Equatable, Sendable {
    associatedtype Entry: Equatable, Sendable
    var hashBits: UInt64 { get }
    /// Values must stay below this (the RIB's path indices do; see `PrefixTable`).
    static var valueLimit: UInt32 { get }
    static var emptyEntry: Entry { get }
    static func entry(_ key: Self, _ value: UInt32) -> Entry
    static func key(of entry: Entry) -> Self
    static func value(of entry: Entry) -> UInt32
}

extension IPv4NLRI: PrefixMapKey {
    /// Address (32 bits) and length (6 bits) in the top 38 bits, the value in the low 26.
    typealias Entry = UInt64
    var hashBits: UInt64 { key }
    static var valueLimit: UInt32 { 1 << 26 }
    /// Length bits 63: not a prefix length.
    static var emptyEntry: UInt64 { .max }
    static func entry(_ key: IPv4NLRI, _ value: UInt32) -> UInt64 {
        UInt64(key.address) << 32 | UInt64(key.length) << 26 | UInt64(value & (valueLimit - 1))
    }
    static func key(of entry: UInt64) -> IPv4NLRI {
        IPv4NLRI(key: (entry >> 32) << 8 | (entry >> 26 & 0x3F))
    }
    static func value(of entry: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: entry) & (valueLimit - 1) }
}

extension IPv6NLRI: PrefixMapKey {
    struct Entry: Equatable, Sendable {
        var key: IPv6NLRI
        var value: UInt32
    }
    var hashBits: UInt64 {
        UInt64(truncatingIfNeeded: address >> 64) ^ UInt64(truncatingIfNeeded: address).rotateLeft(29) ^ UInt64(length)
    }
    static var valueLimit: UInt32 { .max }
    /// Length 255: not a prefix length.
    static var emptyEntry: Entry { Entry(key: IPv6NLRI(unchecked: 0, length: .max), value: 0) }
    static func entry(_ key: IPv6NLRI, _ value: UInt32) -> Entry { Entry(key: key, value: value) }
    static func key(of entry: Entry) -> IPv6NLRI { entry.key }
    static func value(of entry: Entry) -> UInt32 { entry.value }
}

extension UInt64 {
    fileprivate func rotateLeft(_ n: UInt64) -> UInt64 { self << n | self >> (64 - n) }
}
