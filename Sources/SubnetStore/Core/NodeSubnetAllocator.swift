import NetworkCore

/// Divides one family's cluster CIDR into equal node subnets and picks a free one.
///
/// Pure and deterministic: the same configuration, node and taken set give the same subnet,
/// so two agents (or a retried compare-and-swap) agree. Dual stack uses one allocator per
/// family. Subnets are numbered by their index inside `clusterCIDR`
/// (`IPPrefix.subnetIndex(of:)`); reserved blocks and taken leases become index intervals,
/// so even an IPv6 pool of 2^64 subnets is searched in time proportional to the leases.
public struct NodeSubnetAllocator: Hashable, Sendable, CustomStringConvertible {
    /// Where the search for a free subnet starts.
    public enum Strategy: String, Hashable, Sendable, CaseIterable {
        /// The lowest free index: readable plans (node 1 gets 10.0.0.0/24), best when one
        /// lock serialises writers (the embedded store).
        case lowestFree = "lowest-free"
        /// An index derived from the node name (FNV-1a), then upwards with wrap-around. Agents
        /// racing through compare-and-swap (etcd) try different subnets instead of all
        /// fighting over the lowest one, and a node tends to land on the same subnet again.
        /// The default: thousands of agents booting together mostly never collide.
        case hashedStart = "hashed-start"
    }

    public let clusterCIDR: IPPrefix
    public let subnetLength: Int
    public let strategy: Strategy
    public let reserved: [IPPrefix]
    /// Allowed subnet indices, from the first to the last allowed subnet.
    public let allowed: ClosedRange<UInt128>
    /// Reserved index intervals inside `allowed`, sorted and merged.
    let reservedIntervals: [ClosedRange<UInt128>]

    public init(clusterCIDR: IPPrefix, subnetLength: Int, firstSubnet: IPPrefix? = nil,
                lastSubnet: IPPrefix? = nil, reserved: [IPPrefix] = [],
                strategy: Strategy = .hashedStart) throws(LeaseStoreError) {
        let family = clusterCIDR.family
        guard let count = clusterCIDR.subnetCount(ofLength: subnetLength) else {
            throw .badConfiguration("node subnet length /\(subnetLength) does not fit cluster CIDR \(clusterCIDR) (allowed: /\(clusterCIDR.length) to /\(family.bitWidth))")
        }
        func index(of subnet: IPPrefix?, _ name: String) throws(LeaseStoreError) -> UInt128? {
            guard let subnet else { return nil }
            guard subnet.length == subnetLength, let index = clusterCIDR.subnetIndex(of: subnet) else {
                throw .badConfiguration("\(name) subnet \(subnet) is not a /\(subnetLength) inside \(clusterCIDR)")
            }
            return index
        }
        let first = try index(of: firstSubnet, "first") ?? 0
        let last = try index(of: lastSubnet, "last") ?? (count == .max ? .max : count - 1)
        guard first <= last else {
            throw .badConfiguration("first subnet \(firstSubnet!) comes after last subnet \(lastSubnet!)")
        }
        for block in reserved {
            guard block.family == family else {
                throw .badConfiguration("reserved block \(block) is not \(family) like cluster CIDR \(clusterCIDR)")
            }
            guard block.overlaps(clusterCIDR) else {
                throw .badConfiguration("reserved block \(block) lies outside cluster CIDR \(clusterCIDR)")
            }
        }
        self.clusterCIDR = clusterCIDR
        self.subnetLength = subnetLength
        self.strategy = strategy
        self.reserved = reserved.sorted()
        self.allowed = first...last
        self.reservedIntervals = Self.merged(reserved.compactMap {
            Self.indexInterval(of: $0, in: clusterCIDR, subnetLength: subnetLength, allowed: first...last)
        })
    }

    public var family: IPFamily { clusterCIDR.family }

    /// Subnets between the first and the last allowed one (reserved ones included).
    public var capacity: UInt128 { Self.size(of: allowed) }

    /// Allowed subnets that a reserved block overlaps.
    public var reservedCount: UInt128 { reservedIntervals.reduce(0) { $0 + Self.size(of: $1) } }

    public var description: String {
        var text = "\(clusterCIDR) in /\(subnetLength)s"
        if allowed.lowerBound != 0 || capacity != clusterCIDR.subnetCount(ofLength: subnetLength) {
            text += " from \(subnet(at: allowed.lowerBound)) to \(subnet(at: allowed.upperBound))"
        }
        if !reserved.isEmpty { text += " reserving \(reserved.map(\.description).joined(separator: ", "))" }
        return text
    }

    /// True when `subnet` is one this allocator could hand out: right length, inside the
    /// allowed range, clear of reserved blocks. A stored lease that fails this (the plan
    /// changed) gets a new subnet on its next acquire.
    public func accepts(_ subnet: IPPrefix) -> Bool {
        guard subnet.length == subnetLength, let index = clusterCIDR.subnetIndex(of: subnet),
              allowed.contains(index) else { return false }
        return !reservedIntervals.contains { $0.contains(index) }
    }

    /// A free subnet for `node`: inside the allowed range, overlapping no reserved block and
    /// no prefix of `taken` (prefixes of other families or outside the CIDR are ignored).
    public func allocate(for node: String, avoiding taken: some Sequence<IPPrefix>) throws(LeaseStoreError) -> IPPrefix {
        let takenIntervals = taken.compactMap { $0.family == family ? indexInterval(of: $0) : nil }
        let blocked = Self.merged(reservedIntervals + takenIntervals)
        let blockedCount = blocked.reduce(UInt128(0)) { $0 + Self.size(of: $1) }
        guard blockedCount < capacity else {
            let leased = Self.merged(takenIntervals).reduce(0) { $0 + Int(clamping: Self.size(of: $1)) }
            throw .exhausted(block: clusterCIDR, subnetLength: subnetLength, capacity: capacity,
                             reserved: reservedCount, leased: min(leased, Int(clamping: capacity - reservedCount)))
        }
        let start = switch strategy {
        case .lowestFree: allowed.lowerBound
        case .hashedStart: allowed.lowerBound + UInt128(Self.fnv1a(node)) % capacity
        }
        // A free index exists, so one of the two searches finds it.
        let index = Self.firstFree(from: start, in: allowed, blocked: blocked)
            ?? Self.firstFree(from: allowed.lowerBound, in: allowed, blocked: blocked)!
        return subnet(at: index)
    }

    private func subnet(at index: UInt128) -> IPPrefix {
        clusterCIDR.subnet(ofLength: subnetLength, at: index)!
    }

    /// The allowed subnet indices that `prefix` overlaps; nil when none.
    func indexInterval(of prefix: IPPrefix) -> ClosedRange<UInt128>? {
        Self.indexInterval(of: prefix, in: clusterCIDR, subnetLength: subnetLength, allowed: allowed)
    }

    private static func indexInterval(of prefix: IPPrefix, in clusterCIDR: IPPrefix, subnetLength: Int,
                                      allowed: ClosedRange<UInt128>) -> ClosedRange<UInt128>? {
        guard prefix.overlaps(clusterCIDR) else { return nil }
        let interval: ClosedRange<UInt128>
        if prefix.contains(clusterCIDR) {
            interval = 0...lastIndex(clusterCIDR.subnetCount(ofLength: subnetLength)!)
        } else {
            // Inside the CIDR: the subnet holding its first address, plus as many as it spans.
            let firstIndex = clusterCIDR.subnetIndex(of: IPPrefix(containing: prefix.network, length: subnetLength)!)!
            let span = prefix.subnetCount(ofLength: subnetLength) ?? 1
            interval = firstIndex...(firstIndex + lastIndex(span))
        }
        let lower = max(interval.lowerBound, allowed.lowerBound), upper = min(interval.upperBound, allowed.upperBound)
        return lower <= upper ? lower...upper : nil
    }

    /// The first index at or after `start` in `range` outside every (sorted, merged) blocked interval.
    static func firstFree(from start: UInt128, in range: ClosedRange<UInt128>,
                          blocked: [ClosedRange<UInt128>]) -> UInt128? {
        var candidate = start
        // Binary search for the first interval that ends at or after the candidate.
        var low = 0, high = blocked.count
        while low < high {
            let mid = (low + high) / 2
            if blocked[mid].upperBound < candidate { low = mid + 1 } else { high = mid }
        }
        // Merged intervals never touch, so at most one jump is needed.
        if low < blocked.count, blocked[low].contains(candidate) {
            guard blocked[low].upperBound < range.upperBound else { return nil }
            candidate = blocked[low].upperBound + 1
        }
        return range.contains(candidate) ? candidate : nil
    }

    /// Sorts intervals and joins the ones that overlap or touch.
    static func merged(_ intervals: [ClosedRange<UInt128>]) -> [ClosedRange<UInt128>] {
        var result: [ClosedRange<UInt128>] = []
        for interval in intervals.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, last.upperBound == .max || interval.lowerBound <= last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, interval.upperBound)
            } else {
                result.append(interval)
            }
        }
        return result
    }

    /// Number of indices in a range, saturating for the full 2^128 space.
    static func size(of range: ClosedRange<UInt128>) -> UInt128 {
        let span = range.upperBound - range.lowerBound
        return span == .max ? .max : span + 1
    }

    private static func lastIndex(_ count: UInt128) -> UInt128 { count == .max ? .max : count - 1 }

    /// Where `.hashedStart` begins for a node: stable across processes and hosts.
    static func fnv1a(_ text: String) -> UInt64 { FNV1a.hash(text.utf8) }
}
