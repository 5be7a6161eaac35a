/// An open-addressing hash map from prefix to a 32-bit value, for the RIB's million-entry
/// tables. Swift's Dictionary hashes with seeded SipHash, which was half the ingest time of a
/// full table; prefixes are not attacker-chosen keys in a way that matters here (a peer can
/// only send as many as max-prefix allows), so a multiplicative hash over the packed key does.
/// Linear probing, power-of-two capacity, at most 3/4 full, backward-shift deletion.
struct PrefixMap<Key: PrefixMapKey>: Sendable {
    private var keys: [Key]
    private var values: [UInt32]
    private(set) var count = 0
    private var mask: Int

    init() {
        keys = Array(repeating: Key.empty, count: 16)
        values = Array(repeating: 0, count: 16)
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
            let stored = keys[index]
            if stored == key { return index }
            if stored == Key.empty { return nil }
            index = (index + 1) & mask
        }
    }

    subscript(key: Key) -> UInt32? { slot(of: key).map { values[$0] } }
    func value(at slot: Slot) -> UInt32 { values[slot] }
    func key(at slot: Slot) -> Key { keys[slot] }
    mutating func setValue(_ value: UInt32, at slot: Slot) { values[slot] = value }

    /// Adds a key known to be absent.
    mutating func insertNew(_ key: Key, _ value: UInt32) {
        if (count + 1) * 4 > keys.count * 3 { grow(to: keys.count * 2) }
        var index = home(key)
        while keys[index] != Key.empty { index = (index + 1) & mask }
        keys[index] = key
        values[index] = value
        count += 1
    }

    private mutating func grow(to size: Int) {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: Key.empty, count: size)
        values = Array(repeating: 0, count: size)
        mask = size - 1
        count = 0
        for index in oldKeys.indices where oldKeys[index] != Key.empty {
            insertNew(oldKeys[index], oldValues[index])
        }
    }

    /// Removes the entry in `slot`, shifting later entries of its probe run back so lookups
    /// never stop at a hole.
    mutating func remove(at slot: Slot) {
        var hole = slot
        var index = (slot + 1) & mask
        while keys[index] != Key.empty {
            let wanted = home(keys[index])
            // Move the entry into the hole unless its home lies cyclically in (hole, index].
            let stays = hole <= index ? (hole < wanted && wanted <= index) : (hole < wanted || wanted <= index)
            if !stays {
                keys[hole] = keys[index]
                values[hole] = values[index]
                hole = index
            }
            index = (index + 1) & mask
        }
        keys[hole] = Key.empty
        count -= 1
    }

    /// Slots run from 0 to `capacity - 1`; walk them with `isOccupied`.
    var capacity: Int { keys.count }
    func isOccupied(_ slot: Slot) -> Bool { keys[slot] != Key.empty }
}

/// A key the map can store: cheap hash bits and a value that never occurs as a real key.
protocol PrefixMapKey: Equatable, Sendable {
    var hashBits: UInt64 { get }
    static var empty: Self { get }
}

extension IPv4NLRI: PrefixMapKey {
    var hashBits: UInt64 { key }
    /// Length byte 0xFF: not a prefix length.
    static var empty: IPv4NLRI { IPv4NLRI(key: .max) }
}

extension IPv6NLRI: PrefixMapKey {
    var hashBits: UInt64 {
        UInt64(truncatingIfNeeded: address >> 64) ^ UInt64(truncatingIfNeeded: address).rotateLeft(29) ^ UInt64(length)
    }
    static var empty: IPv6NLRI { IPv6NLRI(unchecked: 0, length: .max) }
}

extension UInt64 {
    fileprivate func rotateLeft(_ n: UInt64) -> UInt64 { self << n | self >> (64 - n) }
}
