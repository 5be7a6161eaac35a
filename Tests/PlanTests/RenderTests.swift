import Foundation
import Testing
import NetworkCore
@testable import Plan
import TestSupport

/// Routes per device for every cross-domain path, and gateway configs that the real BIRD 2
/// and FRR parsers accept.
@Suite struct RenderTests {
    static func route(_ destination: String, _ hop: StaticRoute.NextHop, _ path: String) -> StaticRoute {
        StaticRoute(destination: destination, nextHop: hop, path: path)
    }

    @Test func seedRoutes() throws {
        let plan = try Plan(yaml: PlanFixture.exampleText("seed.yaml"))
        let toPods = "cloud pods → edge pods of dc1", fromPods = "edge pods of dc1 → cloud pods"
        let toSite = "cloud pods → networks of data center dc1-site", fromSite = "networks of data center dc1-site → cloud pods"
        #expect(plan.routes(for: .vpc).map(\.routes) == [[
            Self.route("10.0.0.0/16", .init(type: .vbr, dataCenter: "dc1-site"), toPods),
            Self.route("172.16.0.0/16", .init(type: .vbr, dataCenter: "dc1-site"), toSite),
        ]])
        #expect(plan.routes(for: .vbr).map(\.routes) == [[
            Self.route("10.0.0.0/16", .init(type: .expressConnect, address: "172.31.255.2"), toPods),
            Self.route("192.168.0.0/16", .init(type: .vpc), "\(fromPods); \(fromSite)"),
            Self.route("172.16.0.0/16", .init(type: .expressConnect, address: "172.31.255.2"), toSite),
        ]])
        #expect(plan.routes(for: .dcRouter).map(\.routes) == [[
            Self.route("10.0.0.0/16", .init(type: .gateway, address: "172.16.10.1"), toPods),
            Self.route("192.168.0.0/16", .init(type: .router, address: "172.31.255.1"), "\(fromPods); \(fromSite)"),
        ]])
    }

    @Test func routeJSONIsStable() throws {
        let routes = try Plan(yaml: PlanFixture.exampleText("seed.yaml")).routes(for: .vpc)
        #expect(DeviceRoutes.json(routes) == """
        [
          {
            "device" : "vpc",
            "routes" : [
              {
                "destination" : "10.0.0.0/16",
                "nextHop" : {
                  "dataCenter" : "dc1-site",
                  "type" : "vbr"
                },
                "path" : "cloud pods → edge pods of dc1"
              },
              {
                "destination" : "172.16.0.0/16",
                "nextHop" : {
                  "dataCenter" : "dc1-site",
                  "type" : "vbr"
                },
                "path" : "cloud pods → networks of data center dc1-site"
              }
            ],
            "title" : "VPC route table: custom route entries, next hop type VBR"
          }
        ]

        """)
    }

    @Test func gatewayPolicyFromTheSeed() throws {
        let policy = try GatewayPolicy(plan: Plan(yaml: PlanFixture.exampleText("seed.yaml")), domain: nil)
        #expect(policy.routerID == IPv4Address("172.16.10.1") && policy.asn == 65000 && policy.nodesASN == 65001)
        let session = try #require(policy.sessions.first)
        #expect(policy.sessions.count == 1)
        #expect(session.ranges == [GatewayPolicy.PeerRange(range: IPPrefix("172.16.10.0/24")!, localAddress: IPAddress("172.16.10.1")!)])
        #expect(session.accepted == [GatewayPolicy.Accepted(block: IPPrefix("10.0.0.0/16")!, length: 24)])
        // A node's own subnet and one more per session; 100 nodes plus 20% headroom at once.
        #expect(session.maxPrefixes == 2 && policy.maxPeers == 120)
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
        for line in ["define te_beijing_v4_pods = [ 10.0.0.0/16{24,24} ];",
                     "define te_beijing_v6_pods = [ fd00:a::/48{64,64} ];",
                     "  if bgp_next_hop != from then reject;",
                     "  neighbor range 172.16.10.0/24 as 65001;", "  neighbor range fd00:ac10:0:10::/64 as 65001;",
                     "  local fd00:ac10:0:10::1 as 65000;", "  password \"s3cret-bj\";", "  ttl security on;",
                     "    import limit 2 action restart;", "    export where net ~ te_beijing_v6_vpc;"] {
            #expect(config.split(separator: "\n").contains(Substring(line)), "\(line)")
        }
        let shanghai = BIRDConfig.render(try GatewayPolicy(plan: Plan(yaml: PlanFixture.exampleText("two-domains.yaml")), domain: "shanghai"))
        #expect(!shanghai.contains("ttl security") && shanghai.contains("    export none;"))
        // 5: each node network is its own range, with the gateway's address on it as local address.
        for line in ["  local 172.17.20.1 as 65010;", "  neighbor range 172.17.20.0/24 as 65011;",
                     "  local 172.17.21.1 as 65010;", "  neighbor range 172.17.21.0/24 as 65011;"] {
            #expect(shanghai.split(separator: "\n").contains(Substring(line)), "\(line)")
        }
    }

    @Test func frrSaysWhatThePlanSays() throws {
        let config = FRRConfig.render(try GatewayPolicy(plan: Plan(yaml: PlanFixture.exampleText("two-domains.yaml")), domain: "beijing"))
        for line in ["ip prefix-list TE-beijing-V4-PODS seq 5 permit 10.0.0.0/16 ge 24 le 24",
                     "ipv6 prefix-list TE-beijing-V6-PODS seq 5 permit fd00:a::/48 ge 64 le 64",
                     " set ip next-hop peer-address", " set ipv6 next-hop peer-address",
                     " bgp listen range 172.16.10.0/24 peer-group TE-beijing-V4-NODES0",
                     " bgp listen range fd00:ac10:0:10::/64 peer-group TE-beijing-V6-NODES0",
                     " neighbor TE-beijing-V6-NODES0 update-source fd00:ac10:0:10::1",
                     " neighbor TE-beijing-V4-NODES0 password s3cret-bj", " neighbor TE-beijing-V6-NODES0 ttl-security hops 1",
                     "  neighbor TE-beijing-V4-NODES0 maximum-prefix 2", "  network 2400:3200:1a:100::/56", " bgp listen limit 480"] {
            #expect(config.split(separator: "\n").contains(Substring(line)), "\(line)")
        }
        #expect(!config.contains("permit 10.0.0.0/16\n"), "the aggregate is not taken from a node")
    }

    /// `gateway.nodesAdvertise: domain-aggregate`: both daemons take the pod CIDR whole from
    /// a node, and no node subnet (the default takes node subnets only, above).
    @Test func theAggregateWhenThePlanSaysTheNodesAnnounceIt() throws {
        let yaml = PlanFixture.yaml(["DOMAIN_EXTRA": "      nodesAdvertise: domain-aggregate"])
        let policy = try GatewayPolicy(plan: Plan(yaml: yaml), domain: nil)
        #expect(policy.sessions.flatMap(\.accepted) == [GatewayPolicy.Accepted(block: IPPrefix("10.0.0.0/16")!, length: 16)])
        let bird = BIRDConfig.render(policy), frr = FRRConfig.render(policy)
        #expect(bird.contains("define te_dc1_v4_pods = [ 10.0.0.0/16{16,16} ];\n"), "\(bird)")
        #expect(frr.contains("ip prefix-list TE-dc1-V4-PODS seq 5 permit 10.0.0.0/16\n") && !frr.contains(" ge "), "\(frr)")
    }

    /// 11: what the gateway cannot check is said in the config, in both daemons' comments.
    @Test(arguments: [true, false])
    func configsSayWhatIsNotChecked(password: Bool) throws {
        let yaml = PlanFixture.yaml().replacingOccurrences(of: "      password: k3y\n", with: password ? "      password: k3y\n" : "")
        let policy = try GatewayPolicy(plan: Plan(yaml: yaml), domain: nil)
        let bird = BIRDConfig.render(policy), frr = FRRConfig.render(policy)
        for config in [bird, frr] {
            #expect(config.contains("which node holds which node subnet"))
            #expect(config.contains("TCP-MD5 is off") != password)
        }
        #expect(bird.contains("BIRD has no limit on dynamic peers"))
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
                                         "DOMAIN_EXTRA": "      routerID: 10.255.0.1\n      exportVPCRoutes: true"])
        let policy = try GatewayPolicy(plan: plan, domain: "dc1")
        #expect(policy.routerID == IPv4Address("10.255.0.1") && policy.sessions.map(\.family) == [.v6])
        // The VPC is IPv4 only: nothing to announce to IPv6 nodes.
        #expect(policy.sessions[0].exported.isEmpty)
        try expectParsersAccept(policy)
    }

    /// 6: text that reaches a config cannot start a statement of its own. Names are refused at
    /// parse time; here hostile names are put straight into a policy, and the configs must
    /// still parse with nothing injected.
    @Test func injectedNamesStayText() throws {
        var policy = try GatewayPolicy(plan: PlanFixture.plan(), domain: nil)
        let injection = "x\"; }\nprotocol static evil { ipv4; route 0.0.0.0/0 blackhole; }\n# \""
        policy.domain = injection
        policy.planName = "p\nrouter bgp 666\n!"
        let bird = BIRDConfig.render(policy), frr = FRRConfig.render(policy)
        #expect(!bird.split(separator: "\n").contains { $0.hasPrefix("protocol static") })
        #expect(!frr.split(separator: "\n").contains { $0.hasPrefix("router bgp 666") })
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
