import Netlink
import NetworkCore

/// Nexthop ids for peers: derived from the node name and family (FNV-1a into the upper half
/// of the id space, away from the small ids `ip nexthop add` without `id` picks), so the same
/// node gets the same id across restarts; a collision with another peer or with a nexthop of
/// another owner moves on to the next free id. Assignments stay put while the peer exists.
struct NexthopIDs {
    struct Key: Hashable {
        var node: String
        var family: IPFamily
    }

    static let base: UInt32 = 0x4000_0000

    private(set) var byKey: [Key: UInt32] = [:]
    private var owners: [UInt32: Key] = [:]
    /// Ids that other protocols' nexthops hold: never ours to take.
    var foreign: Set<UInt32> = []

    /// The first id tried for `key`.
    static func stableID(_ key: Key) -> UInt32 {
        let hash = FNV1a.hash(key.node.utf8 + [0, key.family == .v4 ? 4 : 6])
        return base | (UInt32(truncatingIfNeeded: hash ^ hash >> 32) & (base - 1))
    }

    /// The id of `key`'s nexthop. `installed` are our nexthops now in the kernel: an id there
    /// whose gateway is `gateway` is adopted, one with another gateway is some other peer's.
    mutating func id(for key: Key, gateway: IPAddress, installed: [UInt32: Nexthop]) -> UInt32 {
        if let id = byKey[key], !foreign.contains(id) { return id }
        var candidate = Self.stableID(key)
        while owners[candidate] != nil || foreign.contains(candidate)
                || installed[candidate].map({ $0.gateway != gateway }) == true {
            candidate = candidate == UInt32.max ? Self.base : candidate + 1
        }
        if let old = byKey[key] { owners[old] = nil }
        byKey[key] = candidate
        owners[candidate] = key
        return candidate
    }

    /// Forgets `key`'s assignment (its peer is gone).
    mutating func release(_ key: Key) {
        if let id = byKey.removeValue(forKey: key) { owners[id] = nil }
    }
}
