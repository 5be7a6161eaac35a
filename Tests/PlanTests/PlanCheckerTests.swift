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

    static let vpc = "vpc.cidrs[0]", vsw = "vpc.vSwitches[0].cidrs[0]", svc = "services.cidrs[0]", dc = "dataCenters[0].networks[0]"
    static let link = "dataCenters[0].circuit.links[0].cidr", pods = "edgeDomains[0].podCIDRs[0]", nodes = "edgeDomains[0].nodeNetworks[0].cidr"
    static let length4 = "edgeDomains[0].nodeSubnetLength.ipv4", gateway = "edgeDomains[0].nodeNetworks[0].gateway"

    static func overlap(_ a: String, _ b: String) -> FindingKey { FindingKey(.error, .overlap, [a, b]) }

    static func secondDomain(pods: String = "10.0.128.0/17", nodes: String = "172.16.2.0/24", gateway: String = "172.16.2.1") -> String {
        PlanFixture.domain("dc2", pods: pods, nodes: nodes, gateway: gateway)
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
             expected: [overlap(vpc, "dataCenters[0].networks[1]"), overlap(vsw, "dataCenters[0].networks[1]")]),
        Case(name: "vSwitch vs edge pods", changes: ["PODS": "10.0.0.0/16, 192.168.0.0/24"],
             expected: [overlap(vpc, "edgeDomains[0].podCIDRs[1]"), overlap(vsw, "edgeDomains[0].podCIDRs[1]")]),
        Case(name: "vSwitch vs edge nodes", changes: ["NODES_EXTRA": PlanFixture.nodeNetwork("192.168.0.0/24", gateway: "192.168.0.1")],
             expected: [overlap(vpc, "edgeDomains[0].nodeNetworks[1].cidr"), overlap(vsw, "edgeDomains[0].nodeNetworks[1].cidr")]),
        Case(name: "vSwitch vs Express Connect link", changes: ["LINK": "192.168.0.0/30", "VBR": "192.168.0.1", "DCR": "192.168.0.2"],
             expected: [overlap(vpc, link), overlap(vsw, link)]),
        Case(name: "services vs data center", changes: ["SVC": "172.21.0.0/24, 172.16.200.0/24"], expected: [overlap("services.cidrs[1]", dc)]),
        Case(name: "services vs edge pods", changes: ["SVC": "172.21.0.0/24, 10.0.5.0/24"], expected: [overlap("services.cidrs[1]", pods)]),
        Case(name: "services vs edge nodes", changes: ["SVC": "172.21.0.0/24, 172.16.1.0/25"],
             expected: [overlap("services.cidrs[1]", dc), overlap("services.cidrs[1]", nodes)]),
        Case(name: "services vs Express Connect link", changes: ["SVC": "172.21.0.0/24, 172.31.0.0/30"], expected: [overlap("services.cidrs[1]", link)]),
        Case(name: "data center vs edge pods", changes: ["DC": "172.16.0.0/16, 10.0.0.0/8"], expected: [overlap("dataCenters[0].networks[1]", pods)]),
        Case(name: "networks of two data centers overlapping each other",
             changes: ["DC_EXTRA": PlanFixture.dataCenter("site2", networks: "172.16.128.0/17", link: "172.31.0.4/30", vbr: "172.31.0.5", dcRouter: "172.31.0.6")],
             expected: [overlap(dc, "dataCenters[1].networks[0]")]),
        Case(name: "a node network inside another data center's networks",
             changes: ["DC_EXTRA": PlanFixture.dataCenter("site2", networks: "172.17.0.0/16", link: "172.31.0.4/30", vbr: "172.31.0.5", dcRouter: "172.31.0.6"),
                       "NODES_EXTRA": PlanFixture.nodeNetwork("172.17.1.0/24", gateway: "172.17.1.1")],
             expected: [overlap("dataCenters[1].networks[0]", "edgeDomains[0].nodeNetworks[1].cidr")]),
        Case(name: "link inside the data center is by design", changes: ["DC": "172.16.0.0/16, 172.31.0.0/24"], expected: []),
        Case(name: "edge pods vs edge nodes", changes: ["PODS": "10.0.0.0/16, 172.16.1.0/24"],
             expected: [overlap(dc, "edgeDomains[0].podCIDRs[1]"), overlap("edgeDomains[0].podCIDRs[1]", nodes)]),
        Case(name: "edge pods vs Express Connect link", changes: ["PODS": "10.0.0.0/16, 172.31.0.0/24"],
             expected: [overlap(link, "edgeDomains[0].podCIDRs[1]")]),
        Case(name: "edge nodes vs Express Connect link", changes: ["NODES_EXTRA": PlanFixture.nodeNetwork("172.31.0.0/30", gateway: "172.31.0.1")],
             expected: [overlap(link, "edgeDomains[0].nodeNetworks[1].cidr")]),
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
             expected: [overlap(nodes, "edgeDomains[1].nodeNetworks[0].cidr")]),
        Case(name: "service CIDRs overlapping each other", changes: ["SVC": "172.21.0.0/24, 172.21.0.0/25"],
             expected: [overlap(svc, "services.cidrs[1]")]),
        Case(name: "node networks of one domain overlapping each other", changes: ["NODES_EXTRA": PlanFixture.nodeNetwork("172.16.1.0/25", gateway: "172.16.1.2")],
             expected: [overlap(nodes, "edgeDomains[0].nodeNetworks[1].cidr")]),
        Case(name: "IPv6: VPC vs data center", changes: ["VPC": "192.168.0.0/16, fd00:1::/48", "DC": "172.16.0.0/16, fd00:1:0:2::/64"],
             expected: [overlap("vpc.cidrs[1]", "dataCenters[0].networks[1]")]),
        Case(name: "IPv6: services vs data center, IPv4 and IPv6 of the same bits do not overlap",
             changes: ["SVC": "172.21.0.0/24, fd00:ac15::/112", "DC": "172.16.0.0/16, fd00:ac15::/64, \"::ffff:0:0/120\""],
             expected: [overlap("services.cidrs[1]", "dataCenters[0].networks[1]"),
                        FindingKey(.error, .notRoutableAddressSpace, ["dataCenters[0].networks[2]"])]),
    ]

    @Test(arguments: overlapCases)
    func overlaps(_ testCase: Case) throws {
        #expect(findingKeys(try PlanFixture.plan(testCase.changes)) == testCase.expected)
    }

    static let sizeCases: [Case] = [
        Case(name: "node subnets: 256 /24s hold 256 edge nodes", changes: ["EDGE_NODES": "256", "NODES": "172.16.0.0/22"], expected: []),
        Case(name: "node subnets: 257 edge nodes do not fit", changes: ["EDGE_NODES": "257", "NODES": "172.16.0.0/22"],
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
        Case(name: "services: a /12 is the largest kube-apiserver takes", changes: ["SVC": "10.128.0.0/12"], expected: []),
        Case(name: "services: a /11 is refused", changes: ["SVC": "10.128.0.0/11"], expected: [FindingKey(.error, .serviceCIDRTooLarge, [svc])]),
        Case(name: "headroom 10%: 232 nodes leave 24 spare subnets of 256", changes: ["HEADROOM": "10", "EDGE_NODES": "232", "NODES": "172.16.0.0/22"], expected: []),
        Case(name: "headroom 10%: 233 nodes leave too few", changes: ["HEADROOM": "10", "EDGE_NODES": "233", "NODES": "172.16.0.0/22"],
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
             expected: [FindingKey(.warning, .publicAddressSpace, ["dataCenters[0].networks[1]"])]),
        Case(name: "documentation space is a warning", changes: ["DC": "172.16.0.0/16, 198.51.100.0/24"],
             expected: [FindingKey(.warning, .publicAddressSpace, ["dataCenters[0].networks[1]"])]),
        Case(name: "ULA is private", changes: ["DC": "172.16.0.0/16, fd00:5::/48"], expected: []),
        Case(name: "Alibaba Cloud refuses RFC 6598 as a VPC CIDR", changes: ["VPC": "192.168.0.0/16, 100.64.0.0/16"],
             expected: [FindingKey(.error, .vpcCIDRNotAllowed, ["vpc.cidrs[1]"])]),
        Case(name: "IPv6 VPC blocks come from Alibaba's public space", changes: ["VPC": "192.168.0.0/16, 2400:3200:1a:100::/56"], expected: []),
        Case(name: "public IPv6 in the data center is a warning", changes: ["DC": "172.16.0.0/16, 2400:3200:1a:100::/56"],
             expected: [FindingKey(.warning, .publicAddressSpace, ["dataCenters[0].networks[1]"])]),
        Case(name: "link-local is an error", changes: ["DC": "172.16.0.0/16, 169.254.0.0/16"],
             expected: [FindingKey(.error, .notRoutableAddressSpace, ["dataCenters[0].networks[1]"])]),
        Case(name: "gateway off the node network", changes: ["GW": "172.16.2.1"],
             expected: [FindingKey(.error, .gatewayOutsideNodeNetworks, [gateway])]),
        Case(name: "gateway and nodes in one AS", changes: ["NODES_AS": "65000"],
             expected: [FindingKey(.error, .sameAS, ["edgeDomains[0].gateway.as", "edgeDomains[0].gateway.nodesAS"])]),
        Case(name: "AS_TRANS is reserved", changes: ["AS": "23456"], expected: [FindingKey(.error, .invalidAS, ["edgeDomains[0].gateway.as"])]),
        Case(name: "VBR on the link's network address", changes: ["VBR": "172.31.0.0"],
             expected: [FindingKey(.error, .linkAddressInvalid, ["dataCenters[0].circuit.links[0].vbr"])]),
        Case(name: "DC router outside the link", changes: ["DCR": "172.31.0.9"],
             expected: [FindingKey(.error, .linkAddressInvalid, ["dataCenters[0].circuit.links[0].dcRouter"])]),
        Case(name: "both ends on one address", changes: ["DCR": "172.31.0.1"], expected: [FindingKey(.error, .linkAddressInvalid, [link])]),
        Case(name: "a /31 link uses both addresses", changes: ["LINK": "172.31.0.0/31", "VBR": "172.31.0.0", "DCR": "172.31.0.1"], expected: []),
        Case(name: "vSwitch outside the VPC", changes: ["VSW": "10.1.0.0/24"],
             expected: [FindingKey(.error, .vSwitchOutsideVPC, [vsw])]),
        Case(name: "two vSwitches with one name",
             changes: ["VSW_EXTRA": "    - name: a\n      cidrs: [192.168.1.0/24]"],
             expected: [FindingKey(.error, .duplicateName, [vsw, "vpc.vSwitches[1].cidrs[0]"])]),
        Case(name: "an IPv6-only domain needs a router ID",
             changes: ["PODS": "fd00:a::/48", "LEN": "ipv6: 64", "NODES": "fd00:10::/64", "GW": "fd00:10::1", "VPC": "192.168.0.0/16, fd00:c0::/48"],
             expected: [FindingKey(.error, .routerIDMissing, ["edgeDomains[0].gateway"]),
                        FindingKey(.error, .linkMissing, [pods])]),
        Case(name: "an IPv6-only domain with a router ID",
             changes: ["PODS": "fd00:a::/48", "LEN": "ipv6: 64", "NODES": "fd00:10::/64", "GW": "fd00:10::1", "VPC": "192.168.0.0/16, fd00:c0::/48",
                       "LINK_EXTRA": PlanFixture.link("fd00:ff::/126", vbr: "fd00:ff::1", dcRouter: "fd00:ff::2"),
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

    // Issue 18, an architect's review: one table case per item (or more where an item has
    // several rules). Each failed on the code before the fix.
    static let gateway6 = "edgeDomains[0].nodeNetworks[1].gateway"
    static let pods201 = (0..<201).map { "10.1.\($0).0/24" }.joined(separator: ", ")
    static let dualStackPods = ["PODS": "10.0.0.0/16, \"fd00:a::/48\"", "LEN": "ipv4: 24, ipv6: 64"]

    static let architectCases: [Case] = [
        Case(name: "1: a domain behind a data center the plan does not have",
             changes: ["DOMAIN_EXTRA": PlanFixture.domain("dc2", dataCenter: "site9", pods: "10.1.0.0/16", nodes: "172.18.2.0/24", gateway: "172.18.2.1")],
             expected: [FindingKey(.error, .unknownDataCenter, ["edgeDomains[1].dataCenter"])]),
        Case(name: "1: domains that cannot carry a path to each other or to the cloud are named",
             changes: ["DC_EXTRA": PlanFixture.dataCenter("site2", networks: "172.17.0.0/16", link: "172.31.0.4/30", vbr: "172.31.0.5", dcRouter: "172.31.0.6"),
                       "DOMAIN_EXTRA": PlanFixture.domain("dc2", dataCenter: "site2", pods: "fd00:b::/48", length: "ipv6: 64", nodes: "fd00:17::/64",
                                                          gateway: "fd00:17::1", extra: "\n      routerID: 172.17.0.1")],
             expected: [FindingKey(.warning, .pathNotCarried, [vpc, "edgeDomains[1].podCIDRs[0]"]),
                        FindingKey(.warning, .pathNotCarried, [pods, "edgeDomains[1].podCIDRs[0]"])]),
        Case(name: "2: edge pods in 100.64.0.0/10", changes: ["PODS": "100.64.0.0/16"], expected: [FindingKey(.error, .alibabaReservedSpace, [pods])]),
        Case(name: "2: a data-center network in 100.100.0.0/16 (Alibaba's DNS and metadata)", changes: ["DC": "172.16.0.0/16, 100.100.0.0/16"],
             expected: [FindingKey(.error, .alibabaReservedSpace, ["dataCenters[0].networks[1]"])]),
        Case(name: "2: a service CIDR in 100.64.0.0/10", changes: ["SVC": "100.64.0.0/20"], expected: [FindingKey(.error, .alibabaReservedSpace, [svc])]),
        Case(name: "2: a link in 100.64.0.0/10", changes: ["LINK": "100.64.0.0/30", "VBR": "100.64.0.1", "DCR": "100.64.0.2"],
             expected: [FindingKey(.error, .alibabaReservedSpace, [link])]),
        Case(name: "2: link-local space is fine on a point-to-point Express Connect link",
             changes: ["LINK": "169.254.0.0/30", "VBR": "169.254.0.1", "DCR": "169.254.0.2"], expected: []),
        Case(name: "2: link-local space is not for a node network", changes: ["NODES": "169.254.1.0/24", "GW": "169.254.1.1"],
             expected: [FindingKey(.error, .notRoutableAddressSpace, [nodes])]),
        Case(name: "3: a gateway on its network address", changes: ["GW": "172.16.1.0"], expected: [FindingKey(.error, .gatewayAddressInvalid, [gateway])]),
        Case(name: "3: a gateway on its broadcast address", changes: ["GW": "172.16.1.255"], expected: [FindingKey(.error, .gatewayAddressInvalid, [gateway])]),
        Case(name: "3: an IPv6 gateway on the subnet-router anycast address",
             changes: dualStackPods.merging(["NODES_EXTRA": PlanFixture.nodeNetwork("\"fd00:10::/64\"", gateway: "\"fd00:10::\"")]) { $1 },
             expected: [FindingKey(.error, .gatewayAddressInvalid, [gateway6])]),
        Case(name: "4: a /24 node network holds 253 nodes besides the gateway", changes: ["EDGE_NODES": "253"], expected: []),
        Case(name: "4: 254 nodes do not fit a /24 node network", changes: ["EDGE_NODES": "254"],
             expected: [FindingKey(.error, .nodeNetworksTooSmall, [nodes])]),
        Case(name: "4: 1,000 edge nodes on a /24", changes: ["LEN": "ipv4: 26", "EDGE_NODES": "1000", "EDGE_PODS": "50"],
             expected: [FindingKey(.error, .nodeNetworksTooSmall, [nodes])]),
        Case(name: "5: a second node network whose gateway address is not on it",
             changes: ["NODES_EXTRA": PlanFixture.nodeNetwork("172.16.2.0/24", gateway: "172.16.1.1")],
             expected: [FindingKey(.error, .gatewayOutsideNodeNetworks, ["edgeDomains[0].nodeNetworks[1].gateway"])]),
        Case(name: "5: a second node network with its own gateway address",
             changes: ["NODES_EXTRA": PlanFixture.nodeNetwork("172.16.2.0/24", gateway: "172.16.2.1")], expected: []),
        Case(name: "7: a /29 VPC block", changes: ["VPC": "192.168.0.0/16, 10.200.0.0/29"], expected: [FindingKey(.error, .vpcCIDRNotAllowed, ["vpc.cidrs[1]"])]),
        Case(name: "7: a /28 VPC block is the smallest", changes: ["VPC": "192.168.0.0/16, 10.200.0.0/28"], expected: []),
        Case(name: "7: a /30 vSwitch", changes: ["VSW": "192.168.0.0/30", "CLOUD_NODES": "0"], expected: [FindingKey(.error, .vSwitchSizeNotAllowed, [vsw])]),
        Case(name: "7: a /29 vSwitch is the smallest", changes: ["VSW": "192.168.0.0/29", "CLOUD_NODES": "0"], expected: []),
        Case(name: "7: an IPv6 vSwitch that is not a /64",
             changes: ["VPC": "192.168.0.0/16, \"2400:3200:1a:100::/56\"", "VSW": "192.168.0.0/24, \"2400:3200:1a:100::/80\""],
             expected: [FindingKey(.error, .vSwitchSizeNotAllowed, ["vpc.vSwitches[0].cidrs[1]"])]),
        Case(name: "7: more pods than an ecs.g6.large's ENIs hold ((2 - 1) × 6)",
             changes: ["VPC_EXTRA": "  instanceType: ecs.g6.large", "CLOUD_PODS": "7"],
             expected: [FindingKey(.error, .eniCapacityExceeded, ["vpc.instanceType"])]),
        Case(name: "7: six pods fit an ecs.g6.large", changes: ["VPC_EXTRA": "  instanceType: ecs.g6.large", "CLOUD_PODS": "6"], expected: []),
        Case(name: "7: more pods than the plan's own ENI figures hold ((3 - 1) × 4)",
             changes: ["VPC_EXTRA": "  instanceType: ecs.x9.huge\n  eniCapacity: {eniQuantity: 3, eniPrivateIpAddressQuantity: 4}", "CLOUD_PODS": "9"],
             expected: [FindingKey(.error, .eniCapacityExceeded, ["vpc.eniCapacity"])]),
        Case(name: "7: an instance type the table does not know is said to be unchecked",
             changes: ["VPC_EXTRA": "  instanceType: ecs.x9.huge"], expected: [FindingKey(.warning, .instanceTypeUnknown, ["vpc.instanceType"])]),
        Case(name: "7: 202 VPC route entries exceed the default quota of 200", changes: ["PODS": pods201],
             expected: [FindingKey(.error, .vpcRouteQuotaExceeded, [vpc])]),
        Case(name: "7: a raised quota holds them", changes: ["PODS": pods201, "VPC_EXTRA": "  routeEntryQuota: 300"], expected: []),
        Case(name: "8: an IPv6 /108 service range hands out 65,535 cluster IPs",
             changes: ["SVC": "10.128.0.0/12, \"fd00:ac15::/108\"", "SERVICES": "65534"], expected: []),
        Case(name: "8: 65,535 services do not fit an IPv6 /108 (kube-apiserver's allocator stops at 65,536)",
             changes: ["SVC": "10.128.0.0/12, \"fd00:ac15::/108\"", "SERVICES": "65535"],
             expected: [FindingKey(.error, .serviceCIDRTooSmall, ["services.cidrs[1]"])]),
        Case(name: "9: a data-center summary and a more specific network of the same data center",
             changes: ["DC": "172.16.0.0/16, 172.16.1.0/24"], expected: []),
        Case(name: "9: Alibaba-assigned IPv6 on the VBR link",
             changes: ["VPC": "192.168.0.0/16, \"2400:3200:1a:100::/56\"", "LINK_EXTRA": PlanFixture.link("\"2408:4000:1::/126\"", vbr: "\"2408:4000:1::1\"", dcRouter: "\"2408:4000:1::2\"")],
             expected: []),
    ]

    @Test(arguments: architectCases)
    func architectReview(_ testCase: Case) throws {
        #expect(findingKeys(try PlanFixture.plan(testCase.changes)) == testCase.expected)
    }

    /// 11: MD5 off draws a warning naming the gateway.
    @Test func sessionsWithoutMD5AreAWarning() throws {
        let yaml = PlanFixture.yaml().replacingOccurrences(of: "      password: k3y\n", with: "")
        #expect(findingKeys(try Plan(yaml: yaml)) == [FindingKey(.warning, .sessionsUnauthenticated, ["edgeDomains[0].gateway"])])
    }

    /// 12: an IPv6-only domain with an IPv4 VPC is told exactly that, and overlaps without a
    /// container block quote no precaution of the seed.
    @Test func messagesSayWhatIsWrong() throws {
        let plan = try PlanFixture.plan(["PODS": "fd00:a::/48", "LEN": "ipv6: 64", "NODES": "fd00:10::/64", "GW": "fd00:10::1",
                                         "DOMAIN_EXTRA": "      routerID: 10.255.0.1"])
        let findings = PlanChecker.check(plan)
        #expect(findings.map(\.kind) == [.pathNotCarried])
        #expect(findings.first?.message == "no traffic between cloud pods and edge pods of dc1: IPv4: edge pods of dc1 have no IPv4 block; IPv6: the VPC has no IPv6 block")
        let overlap = PlanChecker.check(try PlanFixture.plan(["SVC": "172.21.0.0/24, 172.16.200.0/24"]))
        #expect(overlap.map(\.kind) == [.overlap] && overlap.first?.precaution == nil)
        let containers = PlanChecker.check(try PlanFixture.plan(["SVC": "172.21.0.0/24, 10.0.5.0/24"]))
        #expect(containers.first?.precaution == .containerCIDRsDoNotOverlap)
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
            of: "        - cidr: \"fd00:ffff::/126\"\n          vbr: \"fd00:ffff::1\"\n          dcRouter: \"fd00:ffff::2\"\n", with: "")
        #expect(findingKeys(try Plan(yaml: text)) == [FindingKey(.error, .linkMissing, ["edgeDomains[0].podCIDRs[1]"])])
    }

    @Test func findingsNameTheSeedPrecaution() throws {
        let findings = PlanChecker.check(try PlanFixture.plan(["SVC": "172.21.0.0/24, 10.0.5.0/24"]))
        #expect(findings.count == 1)
        #expect(findings.first?.precaution == .containerCIDRsDoNotOverlap)
        #expect(findings.first?.subjects.map(\.line) == [13, 28])
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
