import NetworkCore

/// A route of the host's table that BGP next hops may resolve through: what another source
/// (static, kernel, an IGP, a connected network) installed. The speaker's own routes are
/// never given here, so a BGP route cannot resolve through itself or a more-specific of it.
public struct ResolvingRoute: Hashable, Sendable {
    public var destination: IPPrefix
    /// The router the route forwards to; nil: the destination is on the link (connected).
    public var gateway: IPAddress?
    /// The output interface (RTA_OIF), when the route names one.
    public var interface: Int32?
    /// RTA_PRIORITY: among routes to one destination the lowest wins, as in the kernel;
    /// also the interior cost of paths resolved through it (RFC 4271 §9.1.2.2 e).
    public var metric: UInt32
    /// False for a route that forwards nowhere we can name (blackhole, unreachable,
    /// prohibit, a nexthop object or multipath): a next hop it covers is unresolved.
    public var forwards: Bool

    public init(destination: IPPrefix, gateway: IPAddress? = nil, interface: Int32? = nil, metric: UInt32 = 0,
                forwards: Bool = true) {
        self.destination = destination
        self.gateway = gateway
        self.interface = interface
        self.metric = metric
        self.forwards = forwards
    }
}

/// Where a next hop resolved: the immediate gateway and device the kernel route of a
/// recursively resolved BGP route goes through (BIRD's `gateway recursive`).
public struct NextHopResolution: Hashable, Sendable {
    /// The resolving route's destination (its longest match).
    public var route: IPPrefix
    /// nil: the next hop is on a connected network and is itself the gateway.
    public var gateway: IPAddress?
    public var interface: Int32?
    public var metric: UInt32

    public init(route: IPPrefix, gateway: IPAddress?, interface: Int32?, metric: UInt32) {
        self.route = route
        self.gateway = gateway
        self.interface = interface
        self.metric = metric
    }
}

/// Recursive next-hop resolution (FRR's nexthop tracking): a snapshot of the host's table
/// without our own routes, longest match over it, and the next hops in use with their last
/// resolution, so a change of the table says which next hops now resolve differently.
/// The default route resolves nothing unless `resolvesViaDefault` (FRR's `ip nht
/// resolve-via-default`, off by default): a next hop "reached" only by the default route is
/// usually gone, and BGP would black-hole its prefixes towards the upstream.
public struct NextHopResolver: Sendable {
    public let resolvesViaDefault: Bool
    /// The table by destination; each list ordered by metric, the first in force.
    private var routes: [IPPrefix: [ResolvingRoute]] = [:]
    /// How many destinations of each length exist, per family (index: length).
    private var lengthsV4 = [Int](repeating: 0, count: 33)
    private var lengthsV6 = [Int](repeating: 0, count: 129)
    /// Next hops in use (counted by the attribute sets that carry them) and their resolution.
    private var tracked: [IPAddress: (users: Int, resolution: NextHopResolution?)] = [:]

    public init(resolvesViaDefault: Bool = false, routes: [ResolvingRoute] = []) {
        self.resolvesViaDefault = resolvesViaDefault
        for route in routes { insert(route) }
    }

    /// The table's longest match for `address`, if it forwards (nil: unresolved).
    public func lookup(_ address: IPAddress) -> NextHopResolution? {
        let lengths = address.family == .v4 ? lengthsV4 : lengthsV6
        for length in stride(from: lengths.count - 1, through: resolvesViaDefault ? 0 : 1, by: -1) where lengths[length] > 0 {
            guard let prefix = IPPrefix(containing: address, length: length), let route = routes[prefix]?.first else { continue }
            guard route.forwards else { return nil }
            return NextHopResolution(route: prefix, gateway: route.gateway, interface: route.interface, metric: route.metric)
        }
        return nil
    }

    /// The resolution of a next hop in use (`track`), else a fresh lookup.
    public func resolution(of address: IPAddress) -> NextHopResolution? {
        if let entry = tracked[address] { return entry.resolution }
        return lookup(address)
    }

    /// One more user of `address`; its resolution.
    public mutating func track(_ address: IPAddress) -> NextHopResolution? {
        if let entry = tracked[address] {
            tracked[address] = (entry.users + 1, entry.resolution)
            return entry.resolution
        }
        let resolution = lookup(address)
        tracked[address] = (1, resolution)
        return resolution
    }

    /// One user fewer; the next hop is forgotten with its last user.
    public mutating func untrack(_ address: IPAddress) {
        guard let entry = tracked[address] else { return }
        tracked[address] = entry.users > 1 ? (entry.users - 1, entry.resolution) : nil
    }

    public var trackedCount: Int { tracked.count }

    /// Replaces the whole table (a full read of the kernel); the next hops in use whose
    /// resolution changed.
    public mutating func replaceRoutes(_ all: [ResolvingRoute]) -> Set<IPAddress> {
        routes = [:]
        lengthsV4 = [Int](repeating: 0, count: 33)
        lengthsV6 = [Int](repeating: 0, count: 129)
        for route in all { insert(route) }
        return refresh(tracked.keys)
    }

    /// Applies routes added (or replaced) and removed; the next hops in use whose
    /// resolution changed. Only next hops inside a changed destination are looked up again.
    public mutating func apply(added: [ResolvingRoute], removed: [ResolvingRoute]) -> Set<IPAddress> {
        for route in removed { remove(route) }
        for route in added { insert(route) }
        let touched = Set((added + removed).map(\.destination))
        let lengths = Set(touched.map(\.length))
        return refresh(tracked.keys.filter { address in
            lengths.contains { length in IPPrefix(containing: address, length: length).map(touched.contains) ?? false }
        })
    }

    private mutating func refresh(_ addresses: some Sequence<IPAddress>) -> Set<IPAddress> {
        var changed = Set<IPAddress>()
        for address in Array(addresses) {
            guard let entry = tracked[address] else { continue }
            let now = lookup(address)
            if now != entry.resolution {
                tracked[address] = (entry.users, now)
                changed.insert(address)
            }
        }
        return changed
    }

    /// Adds a route, or replaces the one to the same destination with the same metric (the
    /// kernel's identity of a route within a table).
    private mutating func insert(_ route: ResolvingRoute) {
        var list = routes[route.destination] ?? []
        if list.isEmpty { count(route.destination, by: 1) }
        list.removeAll { $0.metric == route.metric }
        list.insert(route, at: list.firstIndex { $0.metric > route.metric } ?? list.endIndex)
        routes[route.destination] = list
    }

    private mutating func remove(_ route: ResolvingRoute) {
        guard var list = routes[route.destination] else { return }
        list.removeAll { $0.metric == route.metric }
        if list.isEmpty {
            routes[route.destination] = nil
            count(route.destination, by: -1)
        } else {
            routes[route.destination] = list
        }
    }

    private mutating func count(_ destination: IPPrefix, by delta: Int) {
        if destination.family == .v4 { lengthsV4[destination.length] += delta } else { lengthsV6[destination.length] += delta }
    }
}
