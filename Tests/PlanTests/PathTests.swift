import Foundation
import Testing
import NetworkCore
@testable import Plan
import TestSupport

/// Issue 18, items 1 and 10: every cross-domain path of a plan, over the circuit of the data
/// center each domain is behind, with the route each device on the way needs.
@Suite struct PathTests {
    typealias Endpoint = CrossDomainPath.Endpoint

    static func hops(_ path: CrossDomainPath) -> [String] {
        path.hops.map { "\($0.device): \($0.route.destination) → \($0.route.nextHop.text)" }
    }

    static func path(_ plan: Plan, _ from: Endpoint, _ to: Endpoint, _ family: IPFamily) throws -> CrossDomainPath {
        try #require(plan.paths.first { $0.from == from && $0.to == to && $0.family == family })
    }

    /// 1: two data centers, each with its own circuit; every path carried, each over its own circuit.
    @Test func twoDomainsCarryEveryPath() throws {
        let plan = try Plan(yaml: PlanFixture.exampleText("two-domains.yaml"))
        #expect(PlanChecker.check(plan) == [])
        let bj = Endpoint.edgePods(domain: "beijing"), sh = Endpoint.edgePods(domain: "shanghai")
        let expected: [(Endpoint, Endpoint, [IPFamily])] = [
            (.cloud, bj, [.v4, .v6]), (bj, .cloud, [.v4, .v6]), (.cloud, sh, [.v4]), (sh, .cloud, [.v4]),
            (.cloud, .dataCenter("beijing-dc"), [.v4, .v6]), (.dataCenter("beijing-dc"), .cloud, [.v4, .v6]),
            (.cloud, .dataCenter("shanghai-dc"), [.v4]), (.dataCenter("shanghai-dc"), .cloud, [.v4]),
            (bj, sh, [.v4]), (sh, bj, [.v4]),
        ]
        #expect(plan.paths.map { "\($0.from) → \($0.to) \($0.family)" }
                == expected.flatMap { from, to, families in families.map { "\(from) → \(to) \($0)" } })
        #expect(plan.paths.filter { !$0.isCarried }.isEmpty, "\(plan.paths.filter { !$0.isCarried })")

        // Cloud → Shanghai goes over Shanghai's circuit, not Beijing's.
        #expect(Self.hops(try Self.path(plan, .cloud, sh, .v4)) == [
            "VPC route table: 10.1.0.0/16 → VBR of shanghai-dc (router interface of the VPC)",
            "VBR of shanghai-dc: 10.1.0.0/16 → Express Connect circuit → 172.31.255.6",
            "router of shanghai-dc: 10.1.0.0/16 → 172.17.20.1 (edge gateway; skip if it is this router)",
        ])
        // Beijing → Shanghai: out of Beijing's circuit, through the VPC, into Shanghai's.
        #expect(Self.hops(try Self.path(plan, bj, sh, .v4)) == [
            "router of beijing-dc: 10.1.0.0/16 → 172.31.255.1",
            "VBR of beijing-dc: 10.1.0.0/16 → VPC (the VBR's attached VPC)",
            "VPC route table: 10.1.0.0/16 → VBR of shanghai-dc (router interface of the VPC)",
            "VBR of shanghai-dc: 10.1.0.0/16 → Express Connect circuit → 172.31.255.6",
            "router of shanghai-dc: 10.1.0.0/16 → 172.17.20.1 (edge gateway; skip if it is this router)",
        ])
        // Each VBR sends only its own data center's blocks down its circuit.
        let vbrs = plan.routes(for: .vbr)
        #expect(vbrs.map(\.dataCenter) == ["beijing-dc", "shanghai-dc"])
        let down = vbrs.map { $0.routes.filter { $0.nextHop.type == .expressConnect }.map(\.destination) }
        #expect(down == [["10.0.0.0/16", "fd00:a::/48", "172.16.0.0/16", "fd00:ac10::/48"], ["10.1.0.0/16", "172.17.0.0/16"]])
    }

    /// 1: two domains behind one data center reach each other through its router alone.
    @Test func domainsOfOneDataCenterMeetAtItsRouter() throws {
        let plan = try PlanFixture.plan(["DOMAIN_EXTRA": PlanFixture.domain("dc2", pods: "10.1.0.0/16", nodes: "172.16.2.0/24", gateway: "172.16.2.1")])
        #expect(PlanChecker.check(plan) == [])
        #expect(Self.hops(try Self.path(plan, .edgePods(domain: "dc1"), .edgePods(domain: "dc2"), .v4)) == [
            "router of site1: 10.1.0.0/16 → 172.16.2.1 (edge gateway; skip if it is this router)",
        ])
    }

    /// 1: a pair that shares no family is listed as not carried, with the reason per family.
    @Test func pathsThatCannotBeCarriedSayWhy() throws {
        let plan = try PlanFixture.plan(["PODS": "fd00:a::/48", "LEN": "ipv6: 64", "NODES": "fd00:10::/64", "GW": "fd00:10::1",
                                         "DOMAIN_EXTRA": "      routerID: 10.255.0.1"])
        let paths = plan.paths.filter { $0.from == .cloud && $0.to == .edgePods(domain: "dc1") }
        #expect(paths.map(\.family) == [.v4, .v6] && paths.allSatisfy { !$0.isCarried && $0.hops.isEmpty })
        #expect(paths.map(\.whyNotCarried) == ["edge pods of dc1 have no IPv4 block", "the VPC has no IPv6 block"])
        #expect(CrossDomainPath.text(paths).contains("cloud pods → edge pods of dc1  IPv6  NOT CARRIED: the VPC has no IPv6 block"))
    }

    /// 10: the VPC routes a data center's networks, and node networks outside them, to its
    /// circuit (kubelet ↔ API server); the service CIDR is never routed.
    @Test func nodeAndDataCenterNetworksAreRouted() throws {
        let plan = try PlanFixture.plan(["NODES_EXTRA": PlanFixture.nodeNetwork("172.20.1.0/24", gateway: "172.20.1.1")])
        #expect(PlanChecker.check(plan) == [])
        let vpc = plan.routes(for: .vpc)[0].routes.map(\.destination)
        #expect(vpc == ["10.0.0.0/16", "172.16.0.0/16", "172.20.1.0/24"])
        #expect(plan.routes(for: .vbr)[0].routes.map(\.destination) == ["10.0.0.0/16", "192.168.0.0/16", "172.16.0.0/16", "172.20.1.0/24"])
        let all = RoutedDevice.Kind.allCases.flatMap { plan.routes(for: $0).flatMap(\.routes) }
        #expect(!all.contains { $0.destination == "172.21.0.0/24" })
    }

    @Test func pathJSONIsStable() throws {
        let plan = try PlanFixture.plan()
        let json = CrossDomainPath.json(Array(plan.paths.prefix(1)))
        #expect(json == """
        [
          {
            "carried" : true,
            "family" : "IPv4",
            "from" : "cloud pods",
            "hops" : [
              {
                "destination" : "10.0.0.0/16",
                "device" : "vpc",
                "nextHop" : {
                  "dataCenter" : "site1",
                  "type" : "vbr"
                }
              },
              {
                "dataCenter" : "site1",
                "destination" : "10.0.0.0/16",
                "device" : "vbr",
                "nextHop" : {
                  "address" : "172.31.0.2",
                  "type" : "expressConnect"
                }
              },
              {
                "dataCenter" : "site1",
                "destination" : "10.0.0.0/16",
                "device" : "dc-router",
                "nextHop" : {
                  "address" : "172.16.1.1",
                  "type" : "gateway"
                }
              }
            ],
            "obstacle" : null,
            "to" : "edge pods of dc1"
          }
        ]

        """)
    }
}
