import NetworkCore

/// `KernelRouteSync`'s record of its table, small enough for a full Internet table: one hash
/// table entry per prefix holding both the next hop the changes asked for (desired) and the
/// one the kernel acknowledged (installed), as numbers into a `NextHopPool` (a million
/// routes share a few next hops), with the prefix's flags. An IPv4 entry takes 16 bytes of
/// table (an 8-byte packed key), an IPv6 one 32; the two dictionaries keyed by `IPPrefix` it
/// replaces took 2 × 64. A prefix with neither next hop has no entry.
struct RouteRecord {
    private var v4: [UInt64: RouteState] = [:]
    private var v6: [IPv6Key: RouteState] = [:]
    private var pool = NextHopPool()
    /// Prefixes with an installed next hop, refused last time (`failed`), and adopted.
    private(set) var installedCount = 0
    private(set) var failedCount = 0
    private(set) var adoptedCount = 0

    /// Distinct next hops referred to: a few, however many routes.
    var nextHopCount: Int { pool.count }

    /// An IPv6 prefix packed: the address's two halves and the length (24 bytes; an `IPPrefix` takes 32).
    private struct IPv6Key: Hashable {
        var high: UInt64
        var low: UInt64
        var length: UInt8
    }

    func desired(_ prefix: IPPrefix) -> KernelNextHop? { pool[state(prefix).desired] }

    func nextHops(_ prefix: IPPrefix) -> (desired: KernelNextHop?, installed: KernelNextHop?) {
        let state = state(prefix)
        return (pool[state.desired], pool[state.installed])
    }

    /// What the changes ask for now; a prefix changed since a graceful restart is no longer adopted.
    mutating func setDesired(_ prefix: IPPrefix, _ nextHop: KernelNextHop?) {
        let number = pool.number(for: nextHop)
        update(prefix) {
            $0.desired = number
            $0.adopted = false
        }
    }

    /// What the kernel acknowledged (or a dump showed); an acknowledged add ends a failure.
    mutating func setInstalled(_ prefix: IPPrefix, _ nextHop: KernelNextHop?, clearingFailure: Bool = false) {
        let number = pool.number(for: nextHop)
        update(prefix) {
            $0.installed = number
            if clearingFailure { $0.failed = false }
        }
    }

    mutating func setFailed(_ prefix: IPPrefix, _ failed: Bool) {
        update(prefix) { $0.failed = failed }
    }

    /// Forgets every failure; returns the prefixes that had one.
    mutating func takeFailed() -> [IPPrefix] {
        guard failedCount > 0 else { return [] }
        let prefixes = prefixes { $0.failed }
        for prefix in prefixes { setFailed(prefix, false) }
        return prefixes
    }

    /// After a graceful restart: every installed prefix nothing asked for is desired as it is, and adopted.
    mutating func adoptInstalled() {
        for prefix in prefixes(where: { $0.installed != 0 && $0.desired == 0 }) {
            update(prefix) {
                $0.desired = $0.installed
                $0.adopted = true
            }
        }
    }

    /// Ends the adoption: the adopted prefixes are desired no more; returns them.
    mutating func takeAdopted() -> [IPPrefix] {
        guard adoptedCount > 0 else { return [] }
        let prefixes = prefixes { $0.adopted }
        for prefix in prefixes { setDesired(prefix, nil) }
        return prefixes
    }

    /// Before a dump of `family` fills it again: nothing of that family is installed. In
    /// place: a full table is not copied.
    mutating func clearInstalled(family: IPFamily) {
        // Prefixes that only had an installed next hop go (few: refused removals).
        for prefix in prefixes(family: family, where: { $0.installed != 0 && $0.desired == 0 }) {
            setInstalled(prefix, nil)
        }
        var released: [UInt32: Int] = [:]
        switch family {
        case .v4: Self.clearInstalled(&v4, released: &released)
        case .v6: Self.clearInstalled(&v6, released: &released)
        }
        for (number, count) in released {
            pool.release(number, count: count)
            installedCount -= count
        }
    }

    private static func clearInstalled<Key>(_ table: inout [Key: RouteState], released: inout [UInt32: Int]) {
        var index = table.startIndex
        while index != table.endIndex {
            let number = table.values[index].installed
            if number != 0 {
                table.values[index].installed = 0
                released[number, default: 0] += 1
            }
            table.formIndex(after: &index)
        }
    }

    /// Prefixes whose desired and installed next hops differ: what a reconcile has to do.
    var differing: [IPPrefix] { prefixes { $0.desired != $0.installed } }

    // MARK: Storage

    private func state(_ prefix: IPPrefix) -> RouteState {
        switch prefix.network {
        case .v4(let address): v4[Self.key(address, prefix.length)] ?? RouteState()
        case .v6(let address): v6[Self.key(address, prefix.length)] ?? RouteState()
        }
    }

    /// Changes one prefix's state, keeping the counts and the pool's references right; an
    /// entry left with no next hop goes (with its flags: there is nothing to retry or sweep).
    private mutating func update(_ prefix: IPPrefix, _ change: (inout RouteState) -> Void) {
        switch prefix.network {
        case .v4(let address):
            let key = Self.key(address, prefix.length)
            if let new = account(v4[key] ?? RouteState(), change) { v4[key] = new.isEmpty ? nil : new }
        case .v6(let address):
            let key = Self.key(address, prefix.length)
            if let new = account(v6[key] ?? RouteState(), change) { v6[key] = new.isEmpty ? nil : new }
        }
    }

    /// `old` changed by `change`, with the counts and references moved over; nil when nothing changed.
    private mutating func account(_ old: RouteState, _ change: (inout RouteState) -> Void) -> RouteState? {
        var new = old
        change(&new)
        if new.desired == 0 && new.installed == 0 { new = RouteState() }
        guard new != old else { return nil }
        // Retained before released: a number both had must not be freed in between.
        pool.retain(new.desired)
        pool.retain(new.installed)
        pool.release(old.desired)
        pool.release(old.installed)
        installedCount += (new.installed != 0 ? 1 : 0) - (old.installed != 0 ? 1 : 0)
        failedCount += (new.failed ? 1 : 0) - (old.failed ? 1 : 0)
        adoptedCount += (new.adopted ? 1 : 0) - (old.adopted ? 1 : 0)
        return new
    }

    private func prefixes(family: IPFamily? = nil, where condition: (RouteState) -> Bool) -> [IPPrefix] {
        var found: [IPPrefix] = []
        if family != .v6 {
            for (key, state) in v4 where condition(state) {
                found.append(IPPrefix(network: .v4(IPv4Address(UInt32(truncatingIfNeeded: key >> 8))), length: Int(key & 0xFF))!)
            }
        }
        if family != .v4 {
            for (key, state) in v6 where condition(state) {
                found.append(IPPrefix(network: .v6(IPv6Address(UInt128(key.high) << 64 | UInt128(key.low))), length: Int(key.length))!)
            }
        }
        return found
    }

    private static func key(_ address: IPv4Address, _ length: Int) -> UInt64 {
        UInt64(address.value) << 8 | UInt64(length)
    }

    private static func key(_ address: IPv6Address, _ length: Int) -> IPv6Key {
        IPv6Key(high: UInt64(truncatingIfNeeded: address.value >> 64), low: UInt64(truncatingIfNeeded: address.value),
                length: UInt8(length))
    }
}

/// One prefix in 8 bytes: its desired and installed next hops as `NextHopPool` numbers (0:
/// none), and its two flags in the top bits of the first word.
struct RouteState: Equatable {
    private var word: UInt32 = 0
    var installed: UInt32 = 0

    var isEmpty: Bool { self == RouteState() }

    private static let failedBit: UInt32 = 1 << 31
    private static let adoptedBit: UInt32 = 1 << 30

    var desired: UInt32 {
        get { word & NextHopPool.numberMask }
        set { word = word & ~NextHopPool.numberMask | newValue }
    }

    /// The last request for this prefix was refused: `retryFailed` tries it again.
    var failed: Bool {
        get { word & Self.failedBit != 0 }
        set { word = newValue ? word | Self.failedBit : word & ~Self.failedBit }
    }

    /// Found in the kernel at a graceful restart and not changed since.
    var adopted: Bool {
        get { word & Self.adoptedBit != 0 }
        set { word = newValue ? word | Self.adoptedBit : word & ~Self.adoptedBit }
    }
}
