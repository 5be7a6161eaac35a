import Testing
import ConfigFile
import NetworkCore
import Plan
import TestSupport

/// Unreadable or mistyped plans are refused with the line and field to fix.
@Suite struct PlanParsingTests {
    static let cases: [(name: String, yaml: String, error: ConfigError)] = [
        ("not YAML", "vpc: [a\n", ConfigError(line: 2, field: "", "not valid YAML: did not find expected ',' or ']'")),
        ("empty file", "", ConfigError(line: nil, field: "", "the file is empty")),
        ("top level is a list", "- a\n", ConfigError(line: 1, field: "",
            "expected a mapping with name, headroomPercent, vpc, services, dataCenters, edgeDomains, found a list")),
        ("duplicate key", "name: a\nname: b\n", ConfigError(line: 1, field: "", "duplicate key name in a mapping")),
    ]

    @Test(arguments: cases.indices)
    func refusesDocuments(_ index: Int) {
        let c = Self.cases[index]
        #expect(throws: c.error, "\(c.name)") { try Plan(yaml: c.yaml) }
    }

    /// Mistakes inside the fixture: each replaces one slot and must name that line and field.
    static let fieldCases: [(changes: [String: String], line: Int, field: String, message: String)] = [
        (["VPC": "10.0.1.5/16"], 4, "vpc.cidrs[0]", "'10.0.1.5/16' has host bits set; the block is 10.0.0.0/16"),
        (["PODS": "fd00:a::1/48"], 28, "edgeDomains[0].podCIDRs[0]", "'fd00:a::1/48' has host bits set; the block is fd00:a::/48"),
        (["SVC": "172.21.0.0"], 13, "services.cidrs[0]", "'172.21.0.0' has no prefix length; write it as address/length"),
        (["CLOUD_NODES": "many"], 9, "vpc.cloudNodes", "expected an integer from 0 to 1000000, found \"many\""),
        (["CLOUD_NODES": "\"3\""], 9, "vpc.cloudNodes", "expected an integer from 0 to 1000000, found \"3\""),
        (["AS": "[65000]"], 37, "edgeDomains[0].gateway.as", "expected an AS number from 1 to 4294967294, found a list"),
        (["NODES_AS": "-1"], 38, "edgeDomains[0].gateway.nodesAS", "expected an AS number from 1 to 4294967294, found \"-1\""),
        (["GW": "172.16.1"], 32, "edgeDomains[0].nodeNetworks[0].gateway", "'172.16.1' is not an IPv4 or IPv6 address"),
        (["LEN": "ipv4: 33"], 29, "edgeDomains[0].nodeSubnetLength.ipv4", "expected an integer from 0 to 32, found \"33\""),
        (["LEN": "ipv4: 24, ipv5: 24"], 29, "edgeDomains[0].nodeSubnetLength.ipv5", "unknown field; expected one of ipv4, ipv6"),
        (["DOMAIN_EXTRA": "    podCIDR: [10.9.0.0/16]"], 40, "edgeDomains[0].podCIDR",
         "unknown field; expected one of name, dataCenter, podCIDRs, nodeSubnetLength, nodeNetworks, edgeNodes, podsPerEdgeNode, gateway"),
        (["DOMAIN_EXTRA": "      gtsm: yes"], 40, "edgeDomains[0].gateway.gtsm", "expected true or false, found \"yes\""),
        (["DOMAIN_EXTRA": "      password2: two words"], 40, "edgeDomains[0].gateway.password2",
         "unknown field; expected one of addresses, as, nodesAS, routerID, password, gtsm, exportVPCRoutes, nodesAdvertise"),
        (["DOMAIN_EXTRA": "      nodesAdvertise: all"], 40, "edgeDomains[0].gateway.nodesAdvertise",
         "expected one of node-subnet, domain-aggregate, found \"all\""),
        (["VSW_EXTRA": "      shared: true"], 8, "vpc.vSwitches[0].shared", "unknown field; expected one of name, cidrs"),
        (["NODES": "172.16.1.0/24\n        gateways: [172.16.1.1]"], 32, "edgeDomains[0].nodeNetworks[0].gateways", "unknown field; expected one of cidr, gateway"),
        // 6: names end up in device configurations: plain words only, refused with the field.
        (["PLAN_NAME": "\"x\\nprotocol static evil { ipv4; }\""], 1, "name",
         "expected a name of 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit; found \"x\\nprotocol static evil { ipv4; }\""),
        (["DOMAIN": "'d\"c'"], 26, "edgeDomains[0].name",
         "expected a name of 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit; found \"d\\\"c\""),
        (["VSW_EXTRA": "    - name: \"-a\"\n      cidrs: [192.168.1.0/24]"], 8, "vpc.vSwitches[1].name",
         "expected a name of 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit; found \"-a\""),
        // 10: routing the service CIDR into the VPC led nowhere; the plan says why it is gone.
        (["LINK_EXTRA": "      routeServiceCIDRs: true"], 23, "dataCenters[0].circuit.routeServiceCIDRs",
         "removed: nothing in the VPC answers for cluster IPs (kube-proxy serves them on each node), so the route led nowhere; reach services from the data center through a LoadBalancer or NodePort service"),
    ]

    @Test(arguments: fieldCases.indices)
    func namesLineAndField(_ index: Int) {
        let c = Self.fieldCases[index]
        #expect(throws: ConfigError(line: c.line, field: c.field, c.message)) { try PlanFixture.plan(c.changes) }
    }

    @Test func scalarWhereAListBelongs() {
        let yaml = PlanFixture.yaml().replacingOccurrences(of: "cidrs: [192.168.0.0/16]", with: "cidrs: 192.168.0.0/16")
        #expect(throws: ConfigError(line: 4, field: "vpc.cidrs",
                                       "expected a list (write [a, b] or one '- item' per line), found \"192.168.0.0/16\"")) {
            try Plan(yaml: yaml)
        }
    }

    @Test func missingField() {
        let yaml = PlanFixture.yaml().replacingOccurrences(of: "  expectedServices: 100\n", with: "")
        #expect(throws: ConfigError(line: 13, field: "services.expectedServices", "missing required field")) {
            try Plan(yaml: yaml)
        }
    }

    /// Plans of the earlier schema are told what replaced their fields.
    @Test func earlierSchemaIsExplained() {
        let old = PlanFixture.yaml().replacingOccurrences(of: "dataCenters:", with: "expressConnect:\n  links: []\ndataCenters:")
        #expect(throws: ConfigError(line: 15, field: "expressConnect",
                                       "replaced by dataCenters[].circuit: each data center has its own circuit (VBR and DC router addresses), and each edge domain names its dataCenter")) {
            try Plan(yaml: old)
        }
        let addresses = PlanFixture.yaml(["DOMAIN_EXTRA": "      addresses: [172.16.1.1]"])
        #expect(throws: ConfigError(line: 40, field: "edgeDomains[0].gateway.addresses",
                                       "replaced by nodeNetworks[].gateway: give the gateway's address on each node network")) {
            try Plan(yaml: addresses)
        }
    }

    @Test func readsEveryField() throws {
        let plan = try Plan(yaml: PlanFixture.exampleText("two-domains.yaml"))
        #expect(plan.name == "two-domains" && plan.headroomPercent == 20)
        #expect(plan.vpc.cidrs.map(\.prefix) == [IPPrefix("192.168.0.0/16")!, IPPrefix("2400:3200:1a:100::/56")!])
        #expect(plan.vpc.vSwitches.map(\.name) == ["vsw-zone-h", "vsw-zone-i"])
        #expect(plan.dataCenters.map(\.name) == ["beijing-dc", "shanghai-dc"])
        #expect(plan.dataCenters[0].circuit.link(for: .v6)?.dcRouter.address == IPAddress("fd00:ffff::2"))
        #expect(plan.dataCenters[1].circuit.link(for: .v6) == nil)
        let beijing = plan.edgeDomains[0]
        #expect(plan.dataCenter(of: beijing)?.name == "beijing-dc" && plan.edgeDomains(behind: plan.dataCenters[1]).map(\.name) == ["shanghai"])
        #expect(beijing.nodeSubnetLength[.v6]?.value == 64 && beijing.families == [.v4, .v6])
        #expect(beijing.nodeNetworks(of: .v6).map(\.gateway.address) == [IPAddress("fd00:ac10:0:10::1")])
        #expect(beijing.gateway.password == "s3cret-bj" && beijing.gateway.gtsm && beijing.gateway.exportVPCRoutes)
        #expect(plan.edgeDomains[1].gateway.password == "s3cret-sh" && !plan.edgeDomains[1].gateway.gtsm)
        #expect(plan.edgeDomains[1].nodeNetworks.map(\.gateway.address) == [IPAddress("172.17.20.1"), IPAddress("172.17.21.1")])
        #expect(beijing.podCIDRs[1].location == PlanLocation(field: "edgeDomains[0].podCIDRs[1]", line: 47))
    }
}
