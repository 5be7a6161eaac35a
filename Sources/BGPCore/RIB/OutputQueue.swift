/// The prefixes whose UPDATEs are still to be built for one peer, so that UPDATEs are made
/// only as fast as the peer reads them (BIRD's buckets, FRR's update queue). A prefix waits
/// as a key, not as encoded bytes: its UPDATE is built from the Adj-RIB-Out entry as it is
/// when its turn comes (`AdjRIBOut.delta(for:_:)`), so a prefix that changes a thousand
/// times while the peer is slow waits once. What waits is bounded by the prefixes exported,
/// whatever the churn.
package struct OutputQueue: Sendable {
    /// The initial table (and ROUTE-REFRESH) in walk order: each prefix once by construction.
    private var table4 = FIFO<IPv4NLRI>()
    private var table6 = FIFO<IPv6NLRI>()
    /// Changes since, each prefix at most once while it waits.
    private var changes4 = FIFO<IPv4NLRI>()
    private var changes6 = FIFO<IPv6NLRI>()
    private var waiting4 = Set<IPv4NLRI>()
    private var waiting6 = Set<IPv6NLRI>()
    /// Families whose End-of-RIB goes once the table is out.
    package private(set) var endOfRIB: [AddressFamily] = []

    package init() {}

    /// Prefixes waiting.
    package var count: Int { table4.count + table6.count + changes4.count + changes6.count }
    package var isEmpty: Bool { count == 0 && endOfRIB.isEmpty }
    /// The table is out: End-of-RIB may follow.
    package var tableSent: Bool { table4.count == 0 && table6.count == 0 }

    /// Queues every prefix of `delta` as part of the table.
    package mutating func addTable(_ delta: AdjRIBOut.Delta) {
        for prefixes in delta.announce4.values { table4.append(contentsOf: prefixes) }
        for prefixes in delta.announce6.values { table6.append(contentsOf: prefixes) }
        table4.append(contentsOf: delta.withdraw4)
        table6.append(contentsOf: delta.withdraw6)
    }

    /// Queues the prefixes `delta` changed (a prefix already waiting is not queued again).
    package mutating func addChanges(_ delta: AdjRIBOut.Delta) {
        for prefixes in delta.announce4.values { for key in prefixes where waiting4.insert(key).inserted { changes4.append(key) } }
        for prefixes in delta.announce6.values { for key in prefixes where waiting6.insert(key).inserted { changes6.append(key) } }
        for key in delta.withdraw4 where waiting4.insert(key).inserted { changes4.append(key) }
        for key in delta.withdraw6 where waiting6.insert(key).inserted { changes6.append(key) }
    }

    /// End-of-RIB for `families` after the table.
    package mutating func addEndOfRIB(_ families: [AddressFamily]) {
        endOfRIB += families
    }

    /// The End-of-RIB families once the table is out (none before).
    package mutating func takeEndOfRIB() -> [AddressFamily] {
        guard tableSent else { return [] }
        defer { endOfRIB = [] }
        return endOfRIB
    }

    /// Up to `limit` waiting prefixes, changes first (they are what the peer lacks most),
    /// then the table; each leaves the queue.
    package mutating func next(_ limit: Int) -> (v4: [IPv4NLRI], v6: [IPv6NLRI]) {
        var room = limit
        let v4 = Self.take(&changes4, &room, releasing: &waiting4) + Self.take(&table4, &room)
        let v6 = Self.take(&changes6, &room, releasing: &waiting6) + Self.take(&table6, &room)
        return (v4, v6)
    }

    private static func take<Key>(_ list: inout FIFO<Key>, _ room: inout Int) -> [Key] {
        let taken = list.removeFirst(min(room, list.count))
        room -= taken.count
        return taken
    }

    private static func take<Key: Hashable>(_ list: inout FIFO<Key>, _ room: inout Int, releasing waiting: inout Set<Key>) -> [Key] {
        let taken = take(&list, &room)
        for key in taken { waiting.remove(key) }
        return taken
    }
}

/// An array drained from the front: the taken part is dropped once it is half of the
/// storage, so draining n keys costs O(n), and the storage follows what still waits.
private struct FIFO<Key: Sendable>: Sendable {
    private var items: [Key] = []
    private var start = 0

    var count: Int { items.count - start }

    mutating func append(_ key: Key) { items.append(key) }
    mutating func append(contentsOf keys: [Key]) { items += keys }

    mutating func removeFirst(_ n: Int) -> [Key] {
        let taken = Array(items[start..<start + n])
        start += n
        if start == items.count {
            items = []
            start = 0
        } else if start > 4096, start * 2 > items.count {
            items.removeFirst(start)
            start = 0
        }
        return taken
    }
}
