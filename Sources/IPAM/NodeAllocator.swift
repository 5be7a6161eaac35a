import NetworkCore

/// Node-local allocation: one address per family (dual stack) for each container interface,
/// from the family's pools in order (host-local's range set), round robin from where the
/// last search stopped, under the store's lock.
public struct NodeAllocator {
    public let pools: [AddressPool]
    public let store: any IPAMStore

    public init(pools: [AddressPool], store: any IPAMStore) throws(IPAMError) {
        for (i, pool) in pools.enumerated() {
            if let other = pools[..<i].first(where: { $0.subnet.overlaps(pool.subnet) }) {
                throw .invalidPool("subnets \(other.subnet) and \(pool.subnet) overlap")
            }
        }
        self.pools = pools
        self.store = store
    }

    /// The pools of each family, families in the order their first pool is listed.
    private var families: [[AddressPool]] {
        var order: [IPFamily] = []
        for pool in pools where !order.contains(pool.family) { order.append(pool.family) }
        return order.map { family in pools.filter { $0.family == family } }
    }

    /// Reserves one address per family for `owner`. An owner that already holds addresses gets
    /// them back when `reuse` is true, and `.alreadyAllocated` otherwise (an ADD must not take
    /// over a live attachment). On any failure nothing new stays reserved.
    public func allocate(for owner: IPAMOwner, reuse: Bool = true) throws -> [InterfaceAddress] {
        try store.locked {
            let held = try store.addresses(of: owner)
            if !reuse && !held.isEmpty { throw IPAMError.alreadyAllocated(owner: owner, addresses: held) }
            var reservedNow: [IPAddress] = []
            do {
                var result: [InterfaceAddress] = []
                for family in families {
                    if let pool = family.first(where: { pool in held.contains { pool.subnet.contains($0) } }) {
                        let address = held.first { pool.subnet.contains($0) }!
                        result.append(InterfaceAddress(address: address, prefixLength: pool.subnet.length)!)
                        continue
                    }
                    let (address, pool) = try nextFree(among: family)
                    guard try store.reserve(address, for: owner) else {
                        throw IPAMError.invalidPool("address \(address) was taken behind the store's lock")
                    }
                    reservedNow.append(address)
                    try store.setLastReserved(address)
                    result.append(InterfaceAddress(address: address, prefixLength: pool.subnet.length)!)
                }
                return result
            } catch {
                for address in reservedNow { try? store.release(address) }
                throw error
            }
        }
    }

    /// A free address of one family: first in the pool where the last search stopped, then
    /// in the others in order; `.exhausted` (for the first pool, counting all) when none has one.
    func nextFree(among family: [AddressPool]) throws -> (IPAddress, AddressPool) {
        let last = try store.lastReserved(family[0].family)
        let current = family.firstIndex { pool in last.map { pool.subnet.contains($0) } ?? false } ?? 0
        for pool in family[current...] + family[..<current] {
            do { return (try nextFree(in: pool), pool) } catch IPAMError.exhausted {}
        }
        throw IPAMError.exhausted(subnet: family[0].subnet, usable: family.reduce(0) { $0 + $1.usableCount })
    }

    /// The next usable address after the last reserved one, wrapping once around the pool.
    ///
    /// Two passes over disjoint ranges, `start...last` then `first..<start`; within a pass the
    /// index only grows (a step, or a jump past an excluded block), so the walk ends after at
    /// most the pool's size. In a large IPv6 subnet the first pass finds a free address after
    /// at most as many steps as there are reservations.
    func nextFree(in pool: AddressPool) throws -> IPAddress {
        let first = pool.firstIndex, last = pool.lastIndex
        var start = first
        if let previous = try store.lastReserved(pool.family), let index = pool.subnet.index(of: previous),
           index >= first, index < last {
            start = index + 1
        }
        var passes = [start...last]
        if start > first { passes.append(first...(start - 1)) }
        for pass in passes {
            var index = pass.lowerBound
            while true {
                let address = pool.subnet.address(at: index)!
                if let exclusion = pool.exclusions.first(where: { $0.contains(address) }) {
                    // Jump past the excluded block; an exclusion reaching beyond the subnet ends the pass.
                    guard let end = pool.subnet.index(of: exclusion.lastAddress), end < pass.upperBound else { break }
                    index = end + 1
                    continue
                }
                if address != pool.gateway, try !store.isReserved(address) { return address }
                guard index < pass.upperBound else { break }
                index += 1
            }
        }
        throw IPAMError.exhausted(subnet: pool.subnet, usable: pool.usableCount)
    }

    /// True when every pool still has an address for a new pod.
    public func hasFreeAddresses() throws -> Bool {
        try store.locked {
            for family in families {
                do { _ = try nextFree(among: family) } catch IPAMError.exhausted { return false }
            }
            return true
        }
    }

    /// The addresses `owner` holds.
    public func addresses(of owner: IPAMOwner) throws -> [IPAddress] {
        try store.locked { try store.addresses(of: owner) }
    }

    /// Frees what `owner` holds; returns the freed addresses (none for an unknown owner).
    /// Reads only the owner's index entry and its records.
    @discardableResult
    public func release(_ owner: IPAMOwner) throws -> [IPAddress] {
        try store.locked {
            let mine = try store.addresses(of: owner)
            for address in mine { try store.release(address) }
            try store.forget(owner)
            return mine
        }
    }

    /// What GC did: the addresses it freed and who held them, and the owners it left in
    /// place because removing their resources failed (a later GC tries again).
    public struct Collection {
        public var freed: [(address: IPAddress, owner: IPAMOwner?)] = []
        public var failures: [(owner: IPAMOwner, error: any Error)] = []
    }

    /// Frees every address whose owner is not in `valid` (unreadable records included).
    /// `removing` is called once per stale owner before its addresses are freed (the plugin
    /// deletes the owner's link there); when it throws, the owner keeps its addresses, the
    /// error is collected and GC goes on with the next. Ends by rebuilding the owner index.
    @discardableResult
    public func collectGarbage(keeping valid: Set<IPAMOwner>,
                               removing: (IPAMOwner) throws -> Void = { _ in }) throws -> Collection {
        try store.locked {
            let stale = try store.reservations().filter { $0.value.map { !valid.contains($0) } ?? true }
            var byOwner: [IPAMOwner?: [IPAddress]] = [:]
            for (address, owner) in stale { byOwner[owner, default: []].append(address) }
            var collection = Collection()
            for (owner, addresses) in byOwner.sorted(by: { $0.value.min()! < $1.value.min()! }) {
                if let owner {
                    do { try removing(owner) } catch {
                        collection.failures.append((owner, error))
                        continue
                    }
                }
                for address in addresses.sorted() {
                    try store.release(address)
                    collection.freed.append((address, owner))
                }
            }
            try store.rebuildOwnerIndex()
            return collection
        }
    }
}
