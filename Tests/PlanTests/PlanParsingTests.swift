import Testing
import NetworkCore
import Plan
import TestSupport

/// Unreadable or mistyped plans are refused with the line and field to fix.
@Suite struct PlanParsingTests {
    static let cases: [(name: String, yaml: String, error: PlanParseError)] = [
        ("not YAML", "vpc: [a\n", PlanParseError(line: 2, field: "", message: "not valid YAML: did not find expected ',' or ']'")),
        ("empty file", "", PlanParseError(line: nil, field: "", message: "the file is empty")),
        ("top level is a list", "- a\n", PlanParseError(line: 1, field: "",
            message: "expected a mapping with name, headroomPercent, vpc, services, dataCenter, expressConnect, edgeDomains, found a list")),
        ("duplicate key", "name: a\nname: b\n", PlanParseError(line: 1, field: "", message: "duplicate key name in a mapping")),
    ]

    @Test(arguments: cases.indices)
    func refusesDocuments(_ index: Int) {
        let c = Self.cases[index]
        #expect(throws: c.error, "\(c.name)") { try Plan(yaml: c.yaml) }
    }

    /// Mistakes inside the fixture: each replaces one slot and must name that line and field.
    static let fieldCases: [(changes: [String: String], line: Int, field: String, message: String)] = [
        (["VPC": "10.0.1.5/16"], 4, "vpc.cidrs[0]", "'10.0.1.5/16' has host bits set; the block is 10.0.0.0/16"),
        (["PODS": "fd00:a::1/48"], 23, "edgeDomains[0].podCIDRs[0]", "'fd00:a::1/48' has host bits set; the block is fd00:a::/48"),
        (["SVC": "172.21.0.0"], 12, "services.cidrs[0]", "'172.21.0.0' has no prefix length; write it as address/length"),
        (["CLOUD_NODES": "many"], 9, "vpc.cloudNodes", "expected an integer from 0 to 1000000, found \"many\""),
        (["CLOUD_NODES": "\"3\""], 9, "vpc.cloudNodes", "expected an integer from 0 to 1000000, found \"3\""),
        (["AS": "[65000]"], 30, "edgeDomains[0].gateway.as", "expected an AS number from 1 to 4294967294, found a list"),
        (["NODES_AS": "-1"], 31, "edgeDomains[0].gateway.nodesAS", "expected an AS number from 1 to 4294967294, found \"-1\""),
        (["GW": "172.16.1"], 29, "edgeDomains[0].gateway.addresses[0]", "'172.16.1' is not an IPv4 or IPv6 address"),
        (["LEN": "ipv4: 33"], 24, "edgeDomains[0].nodeSubnetLength.ipv4", "expected an integer from 0 to 32, found \"33\""),
        (["LEN": "ipv4: 24, ipv5: 24"], 24, "edgeDomains[0].nodeSubnetLength.ipv5", "unknown field; expected one of ipv4, ipv6"),
        (["DOMAIN_EXTRA": "    podCIDR: [10.9.0.0/16]"], 32, "edgeDomains[0].podCIDR",
         "unknown field; expected one of name, podCIDRs, nodeSubnetLength, nodeNetworks, edgeNodes, podsPerEdgeNode, gateway"),
        (["DOMAIN_EXTRA": "      gtsm: yes"], 32, "edgeDomains[0].gateway.gtsm", "expected true or false, found \"yes\""),
        (["DOMAIN_EXTRA": "      password: two words"], 32, "edgeDomains[0].gateway.password",
         "the password must be 1 to 80 printable ASCII characters without spaces, quotes or backslashes"),
        (["VSW_EXTRA": "      shared: true"], 8, "vpc.vSwitches[0].shared", "unknown field; expected one of name, cidrs"),
    ]

    @Test(arguments: fieldCases.indices)
    func namesLineAndField(_ index: Int) {
        let c = Self.fieldCases[index]
        #expect(throws: PlanParseError(line: c.line, field: c.field, message: c.message)) { try PlanFixture.plan(c.changes) }
    }

    @Test func scalarWhereAListBelongs() {
        let yaml = PlanFixture.yaml().replacingOccurrences(of: "cidrs: [192.168.0.0/16]", with: "cidrs: 192.168.0.0/16")
        #expect(throws: PlanParseError(line: 4, field: "vpc.cidrs",
                                       message: "expected a list (write [a, b] or one '- item' per line), found \"192.168.0.0/16\"")) {
            try Plan(yaml: yaml)
        }
    }

    @Test func missingField() {
        let yaml = PlanFixture.yaml().replacingOccurrences(of: "  expectedServices: 100\n", with: "")
        #expect(throws: PlanParseError(line: 12, field: "services.expectedServices", message: "missing required field")) {
            try Plan(yaml: yaml)
        }
    }

    @Test func readsEveryField() throws {
        let plan = try Plan(yaml: PlanFixture.exampleText("two-domains.yaml"))
        #expect(plan.name == "two-domains" && plan.headroomPercent == 20)
        #expect(plan.vpc.cidrs.map(\.prefix) == [IPPrefix("192.168.0.0/16")!, IPPrefix("2400:3200:1a:100::/56")!])
        #expect(plan.vpc.vSwitches.map(\.name) == ["vsw-zone-h", "vsw-zone-i"])
        #expect(plan.expressConnect.routeServiceCIDRs)
        #expect(plan.expressConnect.link(for: .v6)?.dcRouter.address == IPAddress("fd00:ffff::2"))
        let beijing = plan.edgeDomains[0]
        #expect(beijing.nodeSubnetLength[.v6]?.value == 64 && beijing.families == [.v4, .v6])
        #expect(beijing.gateway.password == "s3cret-bj" && beijing.gateway.gtsm && beijing.gateway.exportVPCRoutes)
        #expect(plan.edgeDomains[1].gateway.password == nil && !plan.edgeDomains[1].gateway.gtsm)
        #expect(beijing.podCIDRs[1].location == PlanLocation(field: "edgeDomains[0].podCIDRs[1]", line: 36))
    }
}
