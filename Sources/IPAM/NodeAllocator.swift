import NetworkCore

/// Node-local allocation: one address per pool (per family, for dual stack) for each
/// container interface, round robin from where the last search stopped, under the store's lock.
public struct NodeAllocator {
    public let pools: [AddressPool]
    public let store: any IPAMStore

    public init(pools: [AddressPool], store: any IPAMStore) throws(IPAMError) {
        for (i, pool) in pools.enumerated() where pools[..<i].contains(where: { $0.family == pool.family }) {
            throw .invalidPool("two subnets of \(pool.family): give at most one IPv4 and one IPv6 subnet")
        }
        self.pools = pools
        self.store = store
    }

    /// Reserves one address per pool for `owner`. An owner that already holds addresses gets
    /// them back when `reuse` is true, and `.alreadyAllocated` otherwise (an ADD must not take
    /// over a live attachment). On any failure nothing new stays reserved.
    public func allocate(for owner: IPAMOwner, reuse: Bool = true) throws -> [InterfaceAddress] {
        try store.locked {
            let reservations = try store.reservations()
            if !reuse {
                let held = reservations.filter { $0.value == owner }.map(\.key).sorted()
                guard held.isEmpty else { throw IPAMError.alreadyAllocated(owner: owner, addresses: held) }
            }
            var taken = Set(reservations.keys)
            var reservedNow: [IPAddress] = []
            do {
                var result: [InterfaceAddress] = []
                for pool in pools {
                    if let held = reservations.first(where: { $0.value == owner && pool.subnet.contains($0.key) })?.key {
                        result.append(InterfaceAddress(address: held, prefixLength: pool.subnet.length)!)
                        continue
                    }
                    let address = try nextFree(in: pool, taken: taken)
                    guard try store.reserve(address, for: owner) else {
                        throw IPAMError.invalidPool("address \(address) was taken behind the store's lock")
                    }
                    reservedNow.append(address)
                    taken.insert(address)
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

    /// The next usable address after the last reserved one, wrapping once around the subnet.
    /// The walk is bounded by the number of taken addresses, not the subnet size.
    func nextFree(in pool: AddressPool, taken: Set<IPAddress>) throws -> IPAddress {
        let first = pool.firstIndex, last = pool.lastIndex
        var start = first
        if let previous = try store.lastReserved(pool.family), let index = pool.subnet.index(of: previous),
           index >= first, index < last {
            start = index + 1
        }
        var index = start
        var steps = 0
        let budget = taken.count + pool.exclusions.count + 4
        repeat {
            let address = pool.subnet.address(at: index)!
            if let exclusion = pool.exclusions.first(where: { $0.contains(address) }) {
                // Jump over the whole excluded block.
                let end = pool.subnet.index(of: exclusion.lastAddress) ?? last
                index = end >= last ? first : end + 1
            } else {
                if address != pool.gateway && !taken.contains(address) { return address }
                index = index == last ? first : index + 1
            }
            steps += 1
            // In a huge subnet the budget ends the walk long before the wrap; in a small one
            // the wrap back to `start` does.
            if steps > budget && pool.subnet.addressCount > UInt128(budget) * 4 { break }
        } while index != start
        throw IPAMError.exhausted(subnet: pool.subnet, usable: pool.usableCount)
    }

    /// True when every pool still has an address for a new pod.
    public func hasFreeAddresses() throws -> Bool {
        try store.locked {
            let taken = Set(try store.reservations().keys)
            for pool in pools {
                do { _ = try nextFree(in: pool, taken: taken) } catch is IPAMError { return false }
            }
            return true
        }
    }

    /// The addresses `owner` holds.
    public func addresses(of owner: IPAMOwner) throws -> [IPAddress] {
        try store.locked { try store.reservations().filter { $0.value == owner }.map(\.key).sorted() }
    }

    /// Frees what `owner` holds; returns the freed addresses (none for an unknown owner).
    @discardableResult
    public func release(_ owner: IPAMOwner) throws -> [IPAddress] {
        try store.locked {
            let mine = try store.reservations().filter { $0.value == owner }.map(\.key).sorted()
            for address in mine { try store.release(address) }
            return mine
        }
    }

    /// Frees every address whose owner is not in `valid` (unreadable records included);
    /// returns what it freed and who held it, so that the caller can remove their links.
    @discardableResult
    public func collectGarbage(keeping valid: Set<IPAMOwner>) throws -> [(address: IPAddress, owner: IPAMOwner?)] {
        try store.locked {
            let stale = try store.reservations().filter { $0.value.map { !valid.contains($0) } ?? true }
                .sorted { $0.key < $1.key }
            for (address, _) in stale { try store.release(address) }
            return stale.map { ($0.key, $0.value) }
        }
    }
}
