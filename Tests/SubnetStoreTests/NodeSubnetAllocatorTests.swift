import NetworkCore
@testable import SubnetStore
import Testing

@Suite struct NodeSubnetAllocatorTests {
    private func allocator(_ cidr: String, _ length: Int, first: String? = nil, last: String? = nil,
                           reserved: [String] = [], strategy: NodeSubnetAllocator.Strategy = .lowestFree) throws -> NodeSubnetAllocator {
        try NodeSubnetAllocator(clusterCIDR: IPPrefix(parsing: cidr), subnetLength: length,
                                firstSubnet: first.map { try IPPrefix(parsing: $0) },
                                lastSubnet: last.map { try IPPrefix(parsing: $0) },
                                reserved: reserved.map { try IPPrefix(parsing: $0) }, strategy: strategy)
    }

    /// Allocates until exhaustion; returns the subnets in order and the final error.
    private func drain(_ pool: NodeSubnetAllocator, limit: Int = 100_000) -> ([IPPrefix], LeaseStoreError?) {
        var taken: [IPPrefix] = []
        while taken.count < limit {
            do { taken.append(try pool.allocate(for: "node-\(taken.count)", avoiding: taken)) } catch { return (taken, error) }
        }
        return (taken, nil)
    }

    @Test(arguments: NodeSubnetAllocator.Strategy.allCases)
    func everySlash24OfASlash16ThenExhaustion(strategy: NodeSubnetAllocator.Strategy) throws {
        let pool = try allocator("10.0.0.0/16", 24, strategy: strategy)
        let (taken, error) = drain(pool)
        #expect(taken.count == 256)
        #expect(Set(taken) == Set(IPPrefix("10.0.0.0/16")!.subnets(ofLength: 24)))
        if strategy == .lowestFree { #expect(taken == Array(IPPrefix("10.0.0.0/16")!.subnets(ofLength: 24))) }
        #expect(error == .exhausted(block: IPPrefix("10.0.0.0/16")!, subnetLength: 24, capacity: 256, reserved: 0, leased: 256))
        #expect(error?.description == "no free /24 subnet left in 10.0.0.0/16: 256 subnets, 0 reserved, 256 leased")
    }

    @Test func reservedBlocksOfEverySizeAreSkipped() throws {
        // A /18 (64 subnets), a /24 (one) and a /30 inside a /24 (blocks that whole subnet).
        let pool = try allocator("10.0.0.0/16", 24, reserved: ["10.0.64.0/18", "10.0.5.0/24", "10.0.200.4/30"])
        #expect(pool.reservedCount == 66)
        let (taken, error) = drain(pool)
        #expect(taken.count == 256 - 66)
        for subnet in taken {
            for block in pool.reserved { #expect(!subnet.overlaps(block), "\(subnet) overlaps reserved \(block)") }
        }
        #expect(!pool.accepts(IPPrefix("10.0.200.0/24")!) && !pool.accepts(IPPrefix("10.0.70.0/24")!))
        #expect(pool.accepts(IPPrefix("10.0.4.0/24")!))
        #expect(error == .exhausted(block: IPPrefix("10.0.0.0/16")!, subnetLength: 24, capacity: 256, reserved: 66, leased: 190))
    }

    @Test func reservingABlockThatHoldsTheWholeCIDRLeavesNothing() throws {
        let pool = try allocator("10.0.0.0/24", 26, reserved: ["10.0.0.0/24"])
        #expect(pool.reservedCount == 4)
        #expect(throws: LeaseStoreError.exhausted(block: IPPrefix("10.0.0.0/24")!, subnetLength: 26, capacity: 4, reserved: 4, leased: 0)) {
            try pool.allocate(for: "a", avoiding: [])
        }
    }

    @Test func firstAndLastBoundTheRange() throws {
        let pool = try allocator("10.0.0.0/16", 24, first: "10.0.10.0/24", last: "10.0.19.0/24", reserved: ["10.0.0.0/20"])
        #expect(pool.capacity == 10)
        #expect(pool.reservedCount == 6)   // 10.0.10-15 are inside the reserved /20
        let (taken, error) = drain(pool)
        #expect(taken.map(\.description) == ["10.0.16.0/24", "10.0.17.0/24", "10.0.18.0/24", "10.0.19.0/24"])
        #expect(error == .exhausted(block: IPPrefix("10.0.0.0/16")!, subnetLength: 24, capacity: 10, reserved: 6, leased: 4))
        #expect(pool.description == "10.0.0.0/16 in /24s from 10.0.10.0/24 to 10.0.19.0/24 reserving 10.0.0.0/20")
    }

    @Test func ipv6Slash64sOfASlash56() throws {
        let pool = try allocator("fd00:10:0:100::/56", 64)
        let (taken, error) = drain(pool)
        #expect(taken.count == 256)
        #expect(taken.first?.description == "fd00:10:0:100::/64" && taken.last?.description == "fd00:10:0:1ff::/64")
        #expect(Set(taken).count == 256)
        guard case .exhausted(_, 64, 256, 0, 256) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func hugeIPv6PoolsAreSearchedByInterval() throws {
        // 2^64 subnets: only intervals make this fast; a /33 reserved is 2^31 subnets.
        let pool = try allocator("fd00::/32", 96, reserved: ["fd00::/33"], strategy: .lowestFree)
        #expect(pool.capacity == UInt128(1) << 64)
        #expect(pool.reservedCount == UInt128(1) << 63)
        let first = try pool.allocate(for: "a", avoiding: [])
        #expect(first.description == "fd00:0:8000::/96")
        let second = try pool.allocate(for: "b", avoiding: [first])
        #expect(second.description == "fd00:0:8000::1:0:0/96")
        let hashed = try allocator("fd00::/32", 96, strategy: .hashedStart)
        #expect(try hashed.allocate(for: "a", avoiding: []) == (try hashed.allocate(for: "a", avoiding: [])))
    }

    @Test func takenPrefixesOfOtherShapesBlockWhatTheyOverlap() throws {
        let pool = try allocator("10.0.0.0/16", 24)
        // A lease from an older /23 plan, a foreign /30 and an IPv6 subnet (ignored).
        let taken = [IPPrefix("10.0.0.0/23")!, IPPrefix("10.0.2.8/30")!, IPPrefix("fd00::/64")!, IPPrefix("192.168.0.0/24")!]
        #expect(try pool.allocate(for: "a", avoiding: taken).description == "10.0.3.0/24")
    }

    @Test func hashedStartSpreadsNodesAndWrapsAround() throws {
        let pool = try allocator("10.0.0.0/16", 24, strategy: .hashedStart)
        let picks = Set(try (0..<50).map { try pool.allocate(for: "edge-\($0)", avoiding: []) })
        #expect(picks.count > 40, "racing nodes should mostly try different subnets")
        // Stable across processes: FNV-1a of the name, not Swift's seeded Hasher.
        #expect(NodeSubnetAllocator.fnv1a("") == 0xcbf2_9ce4_8422_2325 && NodeSubnetAllocator.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        let start = try pool.allocate(for: "x", avoiding: [])
        let later = Array(IPPrefix("10.0.0.0/16")!.subnets(ofLength: 24)).filter { $0 >= start }
        #expect(try pool.allocate(for: "x", avoiding: later) == IPPrefix("10.0.0.0/24"), "wraps to the lowest free")
    }

    @Test(arguments: [
        ("10.0.0.0/16", 15, nil, nil, [String](), "node subnet length /15 does not fit cluster CIDR 10.0.0.0/16 (allowed: /16 to /32)"),
        ("10.0.0.0/16", 24, "10.0.1.0/25", nil, [], "first subnet 10.0.1.0/25 is not a /24 inside 10.0.0.0/16"),
        ("10.0.0.0/16", 24, "10.0.9.0/24", "10.0.8.0/24", [], "first subnet 10.0.9.0/24 comes after last subnet 10.0.8.0/24"),
        ("10.0.0.0/16", 24, nil, nil, ["10.1.0.0/24"], "reserved block 10.1.0.0/24 lies outside cluster CIDR 10.0.0.0/16"),
        ("10.0.0.0/16", 24, nil, nil, ["fd00::/64"], "reserved block fd00::/64 is not IPv4 like cluster CIDR 10.0.0.0/16"),
    ] as [(String, Int, String?, String?, [String], String)])
    func badConfigurationSaysWhy(cidr: String, length: Int, first: String?, last: String?, reserved: [String], message: String) {
        #expect(throws: LeaseStoreError.badConfiguration(message)) {
            try allocator(cidr, length, first: first, last: last, reserved: reserved)
        }
    }

    @Test func intervalsMergeWhenTheyTouch() {
        #expect(NodeSubnetAllocator.merged([5...6, 0...1, 2...3, 9...9, 6...7]) == [0...3, 5...7, 9...9])
        #expect(NodeSubnetAllocator.firstFree(from: 0, in: 0...9, blocked: [0...3, 5...7]) == 4)
        #expect(NodeSubnetAllocator.firstFree(from: 5, in: 0...9, blocked: [0...3, 5...7]) == 8)
        #expect(NodeSubnetAllocator.firstFree(from: 8, in: 0...9, blocked: [8...9]) == nil)
    }
}
