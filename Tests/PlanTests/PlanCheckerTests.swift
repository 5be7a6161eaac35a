import Testing
@testable import Plan
import TestSupport

/// A table of plans, each with exactly the findings it must report.
@Suite struct PlanCheckerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let changes: [String: String]
        let expected: Set<FindingKey>
        var testDescription: String { name }
    }

    static let vpc = "vpc.cidrs[0]", vsw = "vpc.vSwitches[0].cidrs[0]", svc = "services.cidrs[0]", dc = "dataCenter.networks[0]"
    static let link = "expressConnect.links[0].cidr", pods = "edgeDomains[0].podCIDRs[0]", nodes = "edgeDomains[0].nodeNetworks[0]"
    static let length4 = "edgeDomains[0].nodeSubnetLength.ipv4"

    static func overlap(_ a: String, _ b: String) -> FindingKey { FindingKey(.error, .overlap, [a, b]) }

    static func secondDomain(pods: String = "10.0.128.0/17", nodes: String = "172.16.2.0/24", gateway: String = "172.16.2.1") -> String {
        """
          - name: dc2
            podCIDRs: [\(pods)]
            nodeSubnetLength: {ipv4: 24}
            nodeNetworks: [\(nodes)]
            edgeNodes: 10
            podsPerEdgeNode: 100
            gateway:
              addresses: [\(gateway)]
              as: 65010
              nodesAS: 65011
        """
    }

    static let overlapCases: [Case] = [
        Case(name: "sound fixture (vSwitch inside VPC is by design)", changes: [:], expected: []),
        Case(name: "VPC vs edge pods", changes: ["VPC": "192.168.0.0/16, 10.0.5.0/24"], expected: [overlap("vpc.cidrs[1]", pods)]),
        Case(name: "VPC vs services", changes: ["VPC": "192.168.0.0/16, 172.21.0.0/25"], expected: [overlap("vpc.cidrs[1]", svc)]),
        Case(name: "VPC vs data center", changes: ["VPC": "192.168.0.0/16, 172.16.200.0/24"], expected: [overlap("vpc.cidrs[1]", dc)]),
        Case(name: "VPC vs edge nodes (inside the data center)", changes: ["VPC": "192.168.0.0/16, 172.16.1.0/25"],
             expected: [overlap("vpc.cidrs[1]", dc), overlap("vpc.cidrs[1]", nodes)]),
        Case(name: "VPC vs Express Connect link", changes: ["VPC": "192.168.0.0/16, 172.31.0.0/24"], expected: [overlap("vpc.cidrs[1]", link)]),
        Case(name: "vSwitch vs services", changes: ["SVC": "172.21.0.0/24, 192.168.0.128/25"],
             expected: [overlap(vpc, "services.cidrs[1]"), overlap(vsw, "services.cidrs[1]")]),
        Case(name: "vSwitch vs data center", changes: ["DC": "172.16.0.0/16, 192.168.0.128/25"],
             expected: [overlap(vpc, "dataCenter.networks[1]"), overlap(vsw, "dataCenter.networks[1]")]),
        Case(name: "vSwitch vs edge pods", changes: ["PODS": "10.0.0.0/16, 192.168.0.0/24"],
             expected: [overlap(vpc, "edgeDomains[0].podCIDRs[1]"), overlap(vsw, "edgeDomains[0].podCIDRs[1]")]),
        Case(name: "vSwitch vs edge nodes", changes: ["NODES": "172.16.1.0/24, 192.168.0.0/24"],
             expected: [overlap(vpc, "edgeDomains[0].nodeNetworks[1]"), overlap(vsw, "edgeDomains[0].nodeNetworks[1]")]),
        Case(name: "vSwitch vs Express Connect link", changes: ["LINK": "192.168.0.0/30", "VBR": "192.168.0.1", "DCR": "192.168.0.2"],
             expected: [overlap(vpc, link), overlap(vsw, link)]),
        Case(name: "services vs data center", changes: ["SVC": "172.21.0.0/24, 172.16.200.0/24"], expected: [overlap("services.cidrs[1]", dc)]),
        Case(name: "services vs edge pods", changes: ["SVC": "172.21.0.0/24, 10.0.5.0/24"], expected: [overlap("services.cidrs[1]", pods)]),
        Case(name: "services vs edge nodes", changes: ["SVC": "172.21.0.0/24, 172.16.1.0/25"],
             expected: [overlap("services.cidrs[1]", dc), overlap("services.cidrs[1]", nodes)]),
        Case(name: "services vs Express Connect link", changes: ["SVC": "172.21.0.0/24, 172.31.0.0/30"], expected: [overlap("services.cidrs[1]", link)]),
        Case(name: "data center vs edge pods", changes: ["DC": "172.16.0.0/16, 10.0.0.0/8"], expected: [overlap("dataCenter.networks[1]", pods)]),
        Case(name: "data-center networks overlapping each other (edge nodes inside them is by design)",
             changes: ["DC": "172.16.0.0/16, 172.16.1.0/24"], expected: [overlap(dc, "dataCenter.networks[1]")]),
        Case(name: "link inside the data center is by design", changes: ["DC": "172.16.0.0/16, 172.31.0.0/24"], expected: []),
        Case(name: "edge pods vs edge nodes", changes: ["PODS": "10.0.0.0/16, 172.16.1.0/24"],
             expected: [overlap(dc, "edgeDomains[0].podCIDRs[1]"), overlap("edgeDomains[0].podCIDRs[1]", nodes)]),
        Case(name: "edge pods vs Express Connect link", changes: ["PODS": "10.0.0.0/16, 172.31.0.0/24"],
             expected: [overlap(link, "edgeDomains[0].podCIDRs[1]")]),
        Case(name: "edge nodes vs Express Connect link", changes: ["NODES": "172.16.1.0/24, 172.31.0.0/30"],
             expected: [overlap(link, "edgeDomains[0].nodeNetworks[1]")]),
        Case(name: "VPC CIDRs overlapping each other", changes: ["VPC": "192.168.0.0/16, 192.168.0.0/17"], expected: [overlap(vpc, "vpc.cidrs[1]")]),
        Case(name: "vSwitches overlapping each other",
             changes: ["VSW_EXTRA": "    - name: b\n      cidrs: [192.168.0.0/25]"],
             expected: [overlap(vsw, "vpc.vSwitches[1].cidrs[0]")]),
        Case(name: "pod CIDRs of one domain overlapping each other", changes: ["PODS": "10.0.0.0/16, 10.0.0.0/24"],
             expected: [overlap(pods, "edgeDomains[0].podCIDRs[1]")]),
        Case(name: "one edge domain's pods vs another's", changes: ["DOMAIN_EXTRA": secondDomain()],
             expected: [overlap(pods, "edgeDomains[1].podCIDRs[0]")]),
        Case(name: "two domains on one node network",
             changes: ["DOMAIN_EXTRA": secondDomain(pods: "10.1.0.0/16", nodes: "172.16.1.128/25", gateway: "172.16.1.129")],
             expected: [overlap(nodes, "edgeDomains[1].nodeNetworks[0]")]),
        Case(name: "service CIDRs overlapping each other", changes: ["SVC": "172.21.0.0/24, 172.21.0.0/25"],
             expected: [overlap(svc, "services.cidrs[1]")]),
        Case(name: "node networks of one domain overlapping each other", changes: ["NODES": "172.16.1.0/24, 172.16.1.0/25"],
             expected: [overlap(nodes, "edgeDomains[0].nodeNetworks[1]")]),
        Case(name: "IPv6: VPC vs data center", changes: ["VPC": "192.168.0.0/16, fd00:1::/48", "DC": "172.16.0.0/16, fd00:1:0:2::/64"],
             expected: [overlap("vpc.cidrs[1]", "dataCenter.networks[1]")]),
        Case(name: "IPv6: services vs data center, IPv4 and IPv6 of the same bits do not overlap",
             changes: ["SVC": "172.21.0.0/24, fd00:ac15::/112", "DC": "172.16.0.0/16, fd00:ac15::/64, \"::ffff:0:0/120\""],
             expected: [overlap("services.cidrs[1]", "dataCenter.networks[1]"),
                        FindingKey(.error, .notRoutableAddressSpace, ["dataCenter.networks[2]"])]),
    ]

    @Test(arguments: overlapCases)
    func overlaps(_ testCase: Case) throws {
        #expect(findingKeys(try PlanFixture.plan(testCase.changes)) == testCase.expected)
    }

    static let sizeCases: [Case] = [
        Case(name: "node subnets: 256 /24s hold 256 edge nodes", changes: ["EDGE_NODES": "256"], expected: []),
        Case(name: "node subnets: 257 edge nodes do not fit", changes: ["EDGE_NODES": "257"],
             expected: [FindingKey(.error, .nodeSubnetsTooFew, [pods, length4])]),
        Case(name: "node subnet: a /24 holds 253 pods (network, gateway, broadcast excluded)", changes: ["EDGE_PODS": "253"], expected: []),
        Case(name: "node subnet: 254 pods do not fit a /24", changes: ["EDGE_PODS": "254"],
             expected: [FindingKey(.error, .nodeSubnetTooSmall, [length4])]),
        Case(name: "vSwitch: a /24 holds 252 addresses (Alibaba reserves 4)", changes: ["CLOUD_NODES": "1", "CLOUD_PODS": "251"], expected: []),
        Case(name: "vSwitch: 253 addresses do not fit a /24", changes: ["CLOUD_NODES": "1", "CLOUD_PODS": "252"],
             expected: [FindingKey(.error, .vSwitchesTooSmall, [vsw])]),
        Case(name: "vSwitch: cloud nodes count with their own address", changes: ["CLOUD_NODES": "4", "CLOUD_PODS": "62"], expected: []),
        Case(name: "vSwitch: 4 × (63 + 1) = 256 addresses do not fit", changes: ["CLOUD_NODES": "4", "CLOUD_PODS": "63"],
             expected: [FindingKey(.error, .vSwitchesTooSmall, [vsw])]),
        Case(name: "services: a /24 holds 253 services + kubernetes", changes: ["SERVICES": "253"], expected: []),
        Case(name: "services: 254 services do not fit a /24", changes: ["SERVICES": "254"],
             expected: [FindingKey(.error, .serviceCIDRTooSmall, [svc])]),
        Case(name: "services: a /12 is the largest kube-apiserver takes", changes: ["SVC": "100.64.0.0/12"], expected: []),
        Case(name: "services: a /11 is refused", changes: ["SVC": "100.64.0.0/11"], expected: [FindingKey(.error, .serviceCIDRTooLarge, [svc])]),
        Case(name: "headroom 10%: 232 nodes leave 24 spare subnets of 256", changes: ["HEADROOM": "10", "EDGE_NODES": "232"], expected: []),
        Case(name: "headroom 10%: 233 nodes leave too few", changes: ["HEADROOM": "10", "EDGE_NODES": "233"],
             expected: [FindingKey(.warning, .lowHeadroom, [pods, length4])]),
        Case(name: "node subnet length shorter than the pod CIDR", changes: ["LEN": "ipv4: 12"],
             expected: [FindingKey(.error, .nodeSubnetLengthInvalid, [length4])]),
        Case(name: "node subnet length for a family without pods", changes: ["LEN": "ipv4: 24, ipv6: 64"],
             expected: [FindingKey(.error, .nodeSubnetLengthInvalid, ["edgeDomains[0].nodeSubnetLength.ipv6"])]),
    ]

    @Test(arguments: sizeCases)
    func sizes(_ testCase: Case) throws {
        #expect(findingKeys(try PlanFixture.plan(testCase.changes)) == testCase.expected)
    }

    static let addressCases: [Case] = [
        Case(name: "public space is a warning", changes: ["DC": "172.16.0.0/16, 8.8.8.0/24"],
             expected: [FindingKey(.warning, .publicAddressSpace, ["dataCenter.networks[1]"])]),
        Case(name: "documentation space is a warning", changes: ["DC": "172.16.0.0/16, 198.51.100.0/24"],
             expected: [FindingKey(.warning, .publicAddressSpace, ["dataCenter.networks[1]"])]),
        Case(name: "RFC 6598 and ULA are private", changes: ["DC": "172.16.0.0/16, 100.64.0.0/10, fd00:5::/48"], expected: []),
        Case(name: "Alibaba Cloud refuses RFC 6598 as a VPC CIDR", changes: ["VPC": "192.168.0.0/16, 100.64.0.0/16"],
             expected: [FindingKey(.error, .vpcCIDRNotAllowed, ["vpc.cidrs[1]"])]),
        Case(name: "IPv6 VPC blocks come from Alibaba's public space", changes: ["VPC": "192.168.0.0/16, 2400:3200:1a:100::/56"], expected: []),
        Case(name: "public IPv6 in the data center is a warning", changes: ["DC": "172.16.0.0/16, 2400:3200:1a:100::/56"],
             expected: [FindingKey(.warning, .publicAddressSpace, ["dataCenter.networks[1]"])]),
        Case(name: "link-local is an error", changes: ["DC": "172.16.0.0/16, 169.254.0.0/16"],
             expected: [FindingKey(.error, .notRoutableAddressSpace, ["dataCenter.networks[1]"])]),
        Case(name: "gateway off the node network", changes: ["GW": "172.16.2.1"],
             expected: [FindingKey(.error, .gatewayOutsideNodeNetworks, ["edgeDomains[0].gateway.addresses[0]"])]),
        Case(name: "gateway and nodes in one AS", changes: ["NODES_AS": "65000"],
             expected: [FindingKey(.error, .sameAS, ["edgeDomains[0].gateway.as", "edgeDomains[0].gateway.nodesAS"])]),
        Case(name: "AS_TRANS is reserved", changes: ["AS": "23456"], expected: [FindingKey(.error, .invalidAS, ["edgeDomains[0].gateway.as"])]),
        Case(name: "VBR on the link's network address", changes: ["VBR": "172.31.0.0"],
             expected: [FindingKey(.error, .linkAddressInvalid, ["expressConnect.links[0].vbr"])]),
        Case(name: "DC router outside the link", changes: ["DCR": "172.31.0.9"],
             expected: [FindingKey(.error, .linkAddressInvalid, ["expressConnect.links[0].dcRouter"])]),
        Case(name: "both ends on one address", changes: ["DCR": "172.31.0.1"], expected: [FindingKey(.error, .linkAddressInvalid, [link])]),
        Case(name: "a /31 link uses both addresses", changes: ["LINK": "172.31.0.0/31", "VBR": "172.31.0.0", "DCR": "172.31.0.1"], expected: []),
        Case(name: "vSwitch outside the VPC", changes: ["VSW": "10.1.0.0/24"],
             expected: [FindingKey(.error, .vSwitchOutsideVPC, [vsw])]),
        Case(name: "two vSwitches with one name",
             changes: ["VSW_EXTRA": "    - name: a\n      cidrs: [192.168.1.0/24]"],
             expected: [FindingKey(.error, .duplicateName, [vsw, "vpc.vSwitches[1].cidrs[0]"])]),
        Case(name: "an IPv6-only domain needs a router ID",
             changes: ["PODS": "fd00:a::/48", "LEN": "ipv6: 64", "NODES": "fd00:10::/64", "GW": "fd00:10::1"],
             expected: [FindingKey(.error, .routerIDMissing, ["edgeDomains[0].gateway"])]),
        Case(name: "an IPv6-only domain with a router ID",
             changes: ["PODS": "fd00:a::/48", "LEN": "ipv6: 64", "NODES": "fd00:10::/64", "GW": "fd00:10::1",
                       "DOMAIN_EXTRA": "      routerID: 10.255.0.1"],
             expected: []),
        Case(name: "IPv6 pods without gateway address or length",
             changes: ["PODS": "10.0.0.0/16, fd00:a::/48"],
             expected: [FindingKey(.error, .nodeSubnetLengthInvalid, ["edgeDomains[0].podCIDRs[1]"]),
                        FindingKey(.error, .gatewayAddressMissing, ["edgeDomains[0].podCIDRs[1]"])]),
    ]

    @Test(arguments: addressCases)
    func addressesAndGateways(_ testCase: Case) throws {
        #expect(findingKeys(try PlanFixture.plan(testCase.changes)) == testCase.expected)
    }

    @Test func examplesAreSound() throws {
        for name in ["seed.yaml", "two-domains.yaml"] {
            #expect(PlanChecker.check(try Plan(yaml: PlanFixture.exampleText(name))) == [], "\(name)")
        }
    }

    /// IPv6 sizes on the dual-stack example: a /120 node subnet holds 254 pods (network and
    /// gateway excluded), with the 20% headroom warning; 255 do not fit.
    @Test(arguments: [(254, FindingKey(.warning, .lowHeadroom, ["edgeDomains[0].nodeSubnetLength.ipv6"])),
                      (255, FindingKey(.error, .nodeSubnetTooSmall, ["edgeDomains[0].nodeSubnetLength.ipv6"]))])
    func ipv6NodeSubnetExactFit(pods: Int, expected: FindingKey) throws {
        let text = try PlanFixture.exampleText("two-domains.yaml")
            .replacingOccurrences(of: "nodeSubnetLength: {ipv4: 24, ipv6: 64}", with: "nodeSubnetLength: {ipv4: 23, ipv6: 120}")
            .replacingOccurrences(of: "edgeNodes: 200\n    podsPerEdgeNode: 110", with: "edgeNodes: 100\n    podsPerEdgeNode: \(pods)")
        #expect(findingKeys(try Plan(yaml: text)) == [expected])
    }

    @Test func ipv6PodOverlapInTheDualStackExample() throws {
        let text = try PlanFixture.exampleText("two-domains.yaml").replacingOccurrences(of: "\"fd00:a::/48\"", with: "\"fd00:ac15::/48\"")
        #expect(findingKeys(try Plan(yaml: text)) == [FindingKey(.error, .overlap, ["services.cidrs[1]", "edgeDomains[0].podCIDRs[1]"])])
    }

    @Test func missingIPv6LinkInTheDualStackExample() throws {
        let text = try PlanFixture.exampleText("two-domains.yaml").replacingOccurrences(
            of: "    - cidr: \"fd00:ffff::/126\"\n      vbr: \"fd00:ffff::1\"\n      dcRouter: \"fd00:ffff::2\"\n", with: "")
        #expect(findingKeys(try Plan(yaml: text)) == [FindingKey(.error, .linkMissing, ["edgeDomains[0].podCIDRs[1]"])])
    }

    @Test func findingsNameTheSeedPrecaution() throws {
        let findings = PlanChecker.check(try PlanFixture.plan(["SVC": "172.21.0.0/24, 10.0.5.0/24"]))
        #expect(findings.count == 1)
        #expect(findings.first?.precaution == .containerCIDRsDoNotOverlap)
        #expect(findings.first?.subjects.map(\.line) == [12, 23])
        #expect(findings.first?.message == "service CIDR 10.0.5.0/24 and edge pods of dc1 10.0.0.0/16 share 10.0.5.0/24")
    }
}

@Suite struct CheckReportTests {
    static let power64: UInt128 = 1 << 64
    static let counts: [(UInt128, String)] = [
        (0, "0"), (999_999_999, "999999999"), (1 << 32, "2^32"),
        (power64 - 2, "~2^64"), (power64 - 10, "~2^64"), (power64 + 1, "~2^64"), ((1 << 63) + 1, "~2^63"),
    ]

    @Test(arguments: counts)
    func countsReadAtAGlance(value: UInt128, text: String) {
        #expect(CheckReport.count(value) == text)
    }
}
