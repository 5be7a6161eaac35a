import BGPCore
import NetworkCore
import Testing

/// Recursive next-hop resolution over a copy of the host's table: longest match, the
/// default route only when allowed, routes that forward nowhere, IPv6, and which next hops
/// in use resolve differently after a change.
@Suite("Next-hop resolver")
struct NextHopResolverTests {
    static func route(_ destination: String, via gateway: String? = nil, dev: Int32? = 2, metric: UInt32 = 0,
                      forwards: Bool = true) -> ResolvingRoute {
        ResolvingRoute(destination: IPPrefix(destination)!, gateway: gateway.flatMap(IPAddress.init), interface: dev,
                       metric: metric, forwards: forwards)
    }

    static let table = [
        route("10.254.0.0/24"),                                  // connected
        route("10.88.0.0/16", via: "10.254.0.2"),
        route("10.88.7.0/24", via: "10.254.0.3"),               // a more-specific wins
        route("0.0.0.0/0", via: "10.254.0.1"),
        route("fd00:254::/64"),
        route("fd00:88::/48", via: "fe80::2", dev: 3),
    ]

    @Test func theLongestMatchResolves() {
        let resolver = NextHopResolver(routes: Self.table)
        #expect(resolver.lookup(IPAddress("10.88.1.1")!)
            == NextHopResolution(route: IPPrefix("10.88.0.0/16")!, gateway: IPAddress("10.254.0.2"), interface: 2, metric: 0))
        #expect(resolver.lookup(IPAddress("10.88.7.9")!)?.gateway == IPAddress("10.254.0.3"))
        // On a connected network: no gateway, the next hop itself is the gateway.
        #expect(resolver.lookup(IPAddress("10.254.0.9")!)
            == NextHopResolution(route: IPPrefix("10.254.0.0/24")!, gateway: nil, interface: 2, metric: 0))
    }

    @Test func theDefaultRouteResolvesNothingUnlessAllowed() {
        #expect(NextHopResolver(routes: Self.table).lookup(IPAddress("192.0.2.1")!) == nil)
        let viaDefault = NextHopResolver(resolvesViaDefault: true, routes: Self.table)
        #expect(viaDefault.lookup(IPAddress("192.0.2.1")!)?.route == IPPrefix("0.0.0.0/0")!)
        // A more-specific still wins over the default.
        #expect(viaDefault.lookup(IPAddress("10.88.1.1")!)?.route == IPPrefix("10.88.0.0/16")!)
    }

    @Test func aRouteThatForwardsNowhereLeavesTheNextHopUnresolved() {
        // A blackhole more-specific hides the route through a router: unresolved, as in the kernel.
        let resolver = NextHopResolver(routes: Self.table + [Self.route("10.88.9.0/24", dev: nil, forwards: false)])
        #expect(resolver.lookup(IPAddress("10.88.9.1")!) == nil)
        #expect(resolver.lookup(IPAddress("10.88.8.1")!) != nil)
    }

    @Test func ipv6NextHopsResolveThroughALinkLocalGatewayWithItsDevice() {
        let resolver = NextHopResolver(routes: Self.table)
        #expect(resolver.lookup(IPAddress("fd00:88::1")!)
            == NextHopResolution(route: IPPrefix("fd00:88::/48")!, gateway: IPAddress("fe80::2"), interface: 3, metric: 0))
        #expect(resolver.lookup(IPAddress("fd00:254::9")!)?.gateway == nil)
        #expect(resolver.lookup(IPAddress("fd00:99::1")!) == nil)
        // An IPv4 route never answers for an IPv6 address of the same bits.
        #expect(resolver.lookup(IPAddress("::a58:101")!) == nil)
    }

    @Test func theLowestMetricToADestinationIsInForce() {
        var resolver = NextHopResolver(routes: [Self.route("10.88.0.0/16", via: "10.254.0.2", metric: 20),
                                                Self.route("10.88.0.0/16", via: "10.254.0.3", metric: 10)])
        let hop = IPAddress("10.88.0.1")!
        #expect(resolver.track(hop)?.gateway == IPAddress("10.254.0.3"))
        // The better one goes: the other takes over, and the next hop is reported as changed.
        #expect(resolver.apply(added: [], removed: [Self.route("10.88.0.0/16", via: "10.254.0.3", metric: 10)]) == [hop])
        #expect(resolver.resolution(of: hop)?.gateway == IPAddress("10.254.0.2"))
        #expect(resolver.resolution(of: hop)?.metric == 20)
    }

    @Test func onlyTrackedNextHopsInsideAChangedDestinationAreReported() {
        var resolver = NextHopResolver(routes: Self.table)
        let a = IPAddress("10.88.1.1")!, b = IPAddress("10.88.7.1")!, c = IPAddress("192.0.2.1")!
        _ = resolver.track(a)
        _ = resolver.track(b)
        _ = resolver.track(c)
        // A new more-specific for a: only a moves; b keeps its /24, c stays unresolved.
        #expect(resolver.apply(added: [Self.route("10.88.1.0/24", via: "10.254.0.4")], removed: []) == [a])
        #expect(resolver.resolution(of: a)?.gateway == IPAddress("10.254.0.4"))
        // A route for c's network: c resolves now.
        #expect(resolver.apply(added: [Self.route("192.0.2.0/24", via: "10.254.0.5")], removed: []) == [c])
        // The same route again (a notification repeated) changes nothing.
        #expect(resolver.apply(added: [Self.route("192.0.2.0/24", via: "10.254.0.5")], removed: []).isEmpty)
        // A full read without the /16 and the more-specifics: a and b are unresolved now.
        #expect(resolver.replaceRoutes([Self.route("10.254.0.0/24"), Self.route("192.0.2.0/24", via: "10.254.0.5")]) == [a, b])
        #expect(resolver.resolution(of: a) == nil)
    }

    @Test func aNextHopIsForgottenWithItsLastUser() {
        var resolver = NextHopResolver(routes: Self.table)
        let hop = IPAddress("10.88.1.1")!
        _ = resolver.track(hop)
        _ = resolver.track(hop)
        resolver.untrack(hop)
        #expect(resolver.trackedCount == 1)
        resolver.untrack(hop)
        #expect(resolver.trackedCount == 0)
        #expect(resolver.apply(added: [Self.route("10.88.1.0/24", via: "10.254.0.4")], removed: []).isEmpty)
    }
}
