import Foundation
import Testing
import NetworkCore
import Plan
import TestSupport

/// Routes for the four paths, and gateway configs that the real BIRD 2 and FRR parsers accept.
@Suite struct RenderTests {
    @Test func seedRoutes() throws {
        let plan = try Plan(yaml: PlanFixture.exampleText("seed.yaml"))
        let vpc = plan.routes(for: .vpc).routes, vbr = plan.routes(for: .vbr).routes, dc = plan.routes(for: .dcRouter).routes
        #expect(vpc == [StaticRoute(destination: "10.0.0.0/16", nextHop: .init(type: .vbr), path: "cloud pods → edge pods of dc1")])
        #expect(vbr == [
            StaticRoute(destination: "10.0.0.0/16", nextHop: .init(type: .expressConnect, address: "172.31.255.2"), path: "cloud pods → edge pods of dc1"),
            StaticRoute(destination: "192.168.0.0/16", nextHop: .init(type: .vpc), path: "edge pods → cloud pods"),
        ])
        #expect(dc == [StaticRoute(destination: "192.168.0.0/16", nextHop: .init(type: .router, address: "172.31.255.1"), path: "edge pods → cloud pods")])
    }

    @Test func dualStackRoutesFollowTheLinks() throws {
        let plan = try Plan(yaml: PlanFixture.exampleText("two-domains.yaml"))
        #expect(plan.routes(for: .vpc).routes.map(\.destination) == ["10.0.0.0/16", "fd00:a::/48", "10.1.0.0/16"])
        let vbr = plan.routes(for: .vbr).routes
        #expect(vbr.first { $0.destination == "fd00:a::/48" }?.nextHop == .init(type: .expressConnect, address: "fd00:ffff::2"))
        // routeServiceCIDRs: the services are routed from the data center to the VPC as well.
        #expect(plan.routes(for: .dcRouter).routes.map(\.destination) == ["192.168.0.0/16", "2400:3200:1a:100::/56", "172.21.0.0/20", "fd00:ac15::/112"])
        #expect(plan.routes(for: .dcRouter).routes.map { $0.nextHop.address } == ["172.31.255.1", "fd00:ffff::1", "172.31.255.1", "fd00:ffff::1"])
    }

    @Test func routeJSONIsStable() throws {
        let routes = try Plan(yaml: PlanFixture.exampleText("seed.yaml")).routes(for: .dcRouter)
        #expect(routes.json == """
        {
          "device" : "dc-router",
          "routes" : [
            {
              "destination" : "192.168.0.0/16",
              "nextHop" : {
                "address" : "172.31.255.1",
                "type" : "router"
              },
              "path" : "edge pods → cloud pods"
            }
          ],
          "title" : "Data-center router: static routes to the VBR over Express Connect"
        }

        """)
    }

    @Test func gatewayPolicyFromTheSeed() throws {
        let policy = try GatewayPolicy(plan: Plan(yaml: PlanFixture.exampleText("seed.yaml")), domain: nil)
        #expect(policy.routerID == IPv4Address("172.16.10.1") && policy.asn == 65000 && policy.nodesASN == 65001)
        let session = try #require(policy.sessions.first)
        #expect(policy.sessions.count == 1 && session.peerRanges == [IPPrefix("172.16.10.0/24")!])
        #expect(session.accepted == [GatewayPolicy.Accepted(block: IPPrefix("10.0.0.0/16")!, nodeSubnetLength: 24)])
        // 100 edge nodes + 1 aggregate, plus 20% headroom rounded up.
        #expect(session.maxPrefixes == 122 && policy.maxPeers == 120)
        #expect(session.exported == [IPPrefix("192.168.0.0/16")!])
    }

    @Test func gatewayPolicyNeedsADomain() throws {
        let plan = try Plan(yaml: PlanFixture.exampleText("two-domains.yaml"))
        #expect(throws: GatewayPolicy.RenderError.ambiguousDomain(known: ["beijing", "shanghai"])) { try GatewayPolicy(plan: plan, domain: nil) }
        #expect(throws: GatewayPolicy.RenderError.unknownDomain("x", known: ["beijing", "shanghai"])) { try GatewayPolicy(plan: plan, domain: "x") }
        let unsound = try PlanFixture.plan(["GW": "172.16.9.1"])
        #expect(throws: GatewayPolicy.RenderError.unsoundPlan(domain: "dc1")) { try GatewayPolicy(plan: unsound, domain: nil) }
    }

    @Test func birdSaysWhatThePlanSays() throws {
        let config = BIRDConfig.render(try GatewayPolicy(plan: Plan(yaml: PlanFixture.exampleText("two-domains.yaml")), domain: "beijing"))
        for line in ["define te_beijing_v4_pods = [ 10.0.0.0/16{24,24}, 10.0.0.0/16 ];",
                     "define te_beijing_v6_pods = [ fd00:a::/48{64,64}, fd00:a::/48 ];",
                     "  neighbor range 172.16.10.0/24 as 65001;", "  neighbor range fd00:ac10:10::/64 as 65001;",
                     "  local fd00:ac10:10::1 as 65000;", "  password \"s3cret-bj\";", "  ttl security on;",
                     "    import limit 242 action restart;", "    export where net ~ te_beijing_v6_vpc;"] {
            #expect(config.split(separator: "\n").contains(Substring(line)), "\(line)")
        }
        let shanghai = BIRDConfig.render(try GatewayPolicy(plan: Plan(yaml: PlanFixture.exampleText("two-domains.yaml")), domain: "shanghai"))
        #expect(!shanghai.contains("password") && !shanghai.contains("ttl security") && shanghai.contains("    export none;"))
    }

    @Test func frrSaysWhatThePlanSays() throws {
        let config = FRRConfig.render(try GatewayPolicy(plan: Plan(yaml: PlanFixture.exampleText("two-domains.yaml")), domain: "beijing"))
        for line in ["ip prefix-list TE-beijing-NODES-V4-PODS seq 5 permit 10.0.0.0/16 ge 24 le 24",
                     "ipv6 prefix-list TE-beijing-NODES-V6-PODS seq 10 permit fd00:a::/48",
                     " bgp listen range 172.16.10.0/24 peer-group TE-beijing-NODES-V4",
                     " bgp listen range fd00:ac10:10::/64 peer-group TE-beijing-NODES-V6",
                     " neighbor TE-beijing-NODES-V4 password s3cret-bj", " neighbor TE-beijing-NODES-V6 ttl-security hops 1",
                     "  neighbor TE-beijing-NODES-V4 maximum-prefix 242", "  network 2400:3200:1a:100::/56", " bgp listen limit 480"] {
            #expect(config.split(separator: "\n").contains(Substring(line)), "\(line)")
        }
    }

    /// Every example plan, every domain, through `bird -p` and `vtysh --dryrun`.
    static var gateways: [(example: String, domain: String)] {
        ["seed.yaml", "two-domains.yaml"].flatMap { name in
            ((try? Plan(yaml: PlanFixture.exampleText(name)))?.edgeDomains ?? []).map { (name, $0.name) }
        }
    }

    @Test func everyExampleDomainIsListed() {
        #expect(Self.gateways.map(\.domain) == ["dc1", "beijing", "shanghai"])
    }

    @Test(arguments: gateways)
    func realParsersAcceptTheConfigs(example: String, domain: String) throws {
        try expectParsersAccept(GatewayPolicy(plan: Plan(yaml: PlanFixture.exampleText(example)), domain: domain))
    }

    /// `bird -p` (BIRD 2) and `vtysh --dryrun` (FRR) parse the files without a running daemon;
    /// vtysh exits 2 and names the line of any command it does not know.
    func expectParsersAccept(_ policy: GatewayPolicy) throws {
        let dir = try TemporaryDirectory("te-plan")
        try dir.write("bird.conf", BIRDConfig.render(policy))
        try dir.write("frr.conf", FRRConfig.render(policy))
        let bird = try run(["bird", "-p", "-c", dir.file("bird.conf")], check: false)
        #expect(bird.status == 0, "bird -p: \(bird.stderr)\(bird.stdout)")
        let frr = try run(["vtysh", "--dryrun", "-f", dir.file("frr.conf")], check: false)
        #expect(frr.status == 0 && frr.stdout.isEmpty && frr.stderr.isEmpty, "vtysh --dryrun: \(frr.stderr)\(frr.stdout)")
    }

    /// An IPv6-only domain: router ID from the plan, IPv6 sessions only, through both parsers.
    @Test func ipv6OnlyGatewayParses() throws {
        let plan = try PlanFixture.plan(["PODS": "fd00:a::/48", "LEN": "ipv6: 64", "NODES": "fd00:10::/64", "GW": "fd00:10::1",
                                         "DOMAIN_EXTRA": "      routerID: 10.255.0.1\n      password: k3y\n      exportVPCRoutes: true"])
        let policy = try GatewayPolicy(plan: plan, domain: "dc1")
        #expect(policy.routerID == IPv4Address("10.255.0.1") && policy.sessions.map(\.family) == [.v6])
        // The VPC is IPv4 only: nothing to announce to IPv6 nodes.
        #expect(policy.sessions[0].exported.isEmpty)
        try expectParsersAccept(policy)
    }

    /// The parsers are a real check: a config with one mistyped keyword is refused by both.
    @Test func realParsersRefuseAMistake() throws {
        let policy = try GatewayPolicy(plan: Plan(yaml: PlanFixture.exampleText("seed.yaml")), domain: nil)
        let dir = try TemporaryDirectory("te-plan")
        try dir.write("bird.conf", BIRDConfig.render(policy).replacingOccurrences(of: "neighbor range", with: "neighbour range"))
        try dir.write("frr.conf", FRRConfig.render(policy).replacingOccurrences(of: "bgp listen range", with: "bgp listen ranges"))
        #expect(try run(["bird", "-p", "-c", dir.file("bird.conf")], check: false).status != 0)
        #expect(try run(["vtysh", "--dryrun", "-f", dir.file("frr.conf")], check: false).status != 0)
    }
}
