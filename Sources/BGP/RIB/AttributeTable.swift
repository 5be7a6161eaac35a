/// Hash-consed attribute sets: each distinct `PathAttributes` is stored once and referred to
/// by a 32-bit id, counted by the paths that use it and freed when the last one goes. A full
/// table of a million routes typically has a few thousand distinct sets.
struct AttributeTable: Sendable {
    private var sets: [PathAttributes?] = []
    /// Indexed by id. Read through a copy while paths are placed: releasing sets never
    /// writes it, so that copy stays shared instead of being duplicated.
    private(set) var ranks: [DecisionRank] = []
    private var references: [Int] = []
    private var ids: [PathAttributes: UInt32] = [:]
    private var freeIDs: [UInt32] = []

    var count: Int { ids.count }

    /// The id of `attributes`, adding it if new, with `references` more users.
    mutating func intern(_ attributes: PathAttributes, references added: Int) -> UInt32 {
        if let id = ids[attributes] {
            references[Int(id)] += added
            return id
        }
        let rank = DecisionRank(attributes)
        let id: UInt32
        if let reused = freeIDs.popLast() {
            id = reused
            sets[Int(id)] = attributes
            ranks[Int(id)] = rank
            references[Int(id)] = added
        } else {
            id = UInt32(sets.count)
            sets.append(attributes)
            ranks.append(rank)
            references.append(added)
        }
        ids[attributes] = id
        return id
    }

    /// Drops one user of `id`; the set is freed with its last user.
    mutating func release(_ id: UInt32) {
        let slot = Int(id)
        references[slot] -= 1
        guard references[slot] == 0, let attributes = sets[slot] else { return }
        ids[attributes] = nil
        sets[slot] = nil
        freeIDs.append(id)
    }

    subscript(id: UInt32) -> PathAttributes { sets[Int(id)] ?? PathAttributes() }
}
