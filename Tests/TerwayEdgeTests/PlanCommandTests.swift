import Foundation
import Testing
import TestSupport

/// The built `terway-edge` binary: exit codes, JSON output, help text.
@Suite struct PlanCommandTests {
    func terwayEdge(_ arguments: [String]) throws -> CommandResult {
        try run([try builtExecutable("terway-edge")] + arguments, check: false)
    }

    func writePlan(_ dir: TemporaryDirectory, _ yaml: String) throws -> String {
        try dir.write("plan.yaml", yaml)
        return dir.file("plan.yaml")
    }

    @Test(arguments: ["seed.yaml", "two-domains.yaml"])
    func soundExamplesExitZero(example: String) throws {
        let result = try terwayEdge(["plan", "check", PlanFixture.example(example)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("plan \(example.dropLast(5)): sound, 0 errors, 0 warnings\n"))
    }

    @Test func problemsExitOneWithATable() throws {
        let dir = try TemporaryDirectory("te-plan")
        let result = try terwayEdge(["plan", "check", try writePlan(dir, PlanFixture.yaml(["SVC": "172.21.0.0/24, 10.0.5.0/24", "DC": "172.16.0.0/16, 8.8.8.0/24"]))])
        #expect(result.status == 1)
        #expect(result.stdout == """
        plan fixture: NOT sound, 1 error, 1 warning

        ERROR  overlap: service CIDR 10.0.5.0/24 and edge pods of dc1 10.0.0.0/16 share 10.0.5.0/24
               at    line 13  services.cidrs[1] = 10.0.5.0/24  (service CIDR)
                     line 28  edgeDomains[0].podCIDRs[0] = 10.0.0.0/16  (edge pods of dc1)
               seed  "make sure that the container CIDR block does not overlap with any other CIDR blocks"
               fix   move one of the two to a block no other role uses; routers cannot tell which side 10.0.5.0/24 is on

        WARN   publicAddressSpace: network of data center site1 8.8.8.0/24 is not private address space (publicSpace)
               at    line 17  dataCenters[0].networks[1] = 8.8.8.0/24  (network of data center site1)
               fix   fine if your organization owns it; otherwise use RFC 1918 space or IPv6 ULA

        CAPACITY (has / needs)
            256 / 10   node subnets: IPv4 pod CIDRs of dc1 split into /24 node subnets
            253 / 100  pod addresses: a /24 node subnet of dc1 (network, gateway and broadcast excluded)
            253 / 10   node addresses: IPv4 node networks of dc1 (network, broadcast and gateway addresses excluded)
            252 / 11   addresses: IPv4 vSwitches (4 addresses of each reserved by Alibaba Cloud)
            508 / 101  cluster IPs: IPv4 service CIDR (network and broadcast address excluded)

        """)
    }

    @Test func jsonIsStableAndComplete() throws {
        let dir = try TemporaryDirectory("te-plan")
        let path = try writePlan(dir, PlanFixture.yaml(["EDGE_NODES": "257", "AS": "23456", "NODES": "172.16.0.0/22"]))
        let first = try terwayEdge(["plan", "check", path, "--output", "json"])
        let second = try terwayEdge(["plan", "check", path, "--output", "json"])
        #expect(first.status == 1 && first.stdout == second.stdout)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(json["schemaVersion"] as? Int == 1 && json["sound"] as? Bool == false)
        #expect(json["errors"] as? Int == 2 && json["warnings"] as? Int == 0 && json["plan"] as? String == "fixture")
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.map { $0["kind"] as? String } == ["invalidAS", "nodeSubnetsTooFew"])
        let sizes = findings[1]
        #expect(sizes["severity"] as? String == "error")
        #expect((sizes["precaution"] as? [String: Any])?["id"] as? String == "evenlyDividedPodCIDR")
        let subjects = try #require(sizes["subjects"] as? [[String: Any]])
        #expect(subjects.map { $0["field"] as? String } == ["edgeDomains[0].podCIDRs[0]", "edgeDomains[0].nodeSubnetLength.ipv4"])
        #expect(subjects.map { $0["line"] as? Int } == [28, 29])
        #expect(findings[0].keys.sorted() == ["hint", "kind", "message", "precaution", "severity", "subjects"])
    }

    @Test func soundPlanJSON() throws {
        let result = try terwayEdge(["plan", "check", PlanFixture.example("seed.yaml"), "--output", "json"])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("""
            {
              "available" : "4094",
              "needed" : "501",
              "unit" : "cluster IPs",
              "wanted" : "602",
              "what" : "IPv4 service CIDR (network and broadcast address excluded)"
            }
          ],
          "errors" : 0,
          "findings" : [

          ],
          "headroomPercent" : 20,
          "plan" : "seed",
          "schemaVersion" : 1,
          "sound" : true,
          "warnings" : 0
        }

        """))
    }

    @Test(arguments: [
        ("vpc: [a\n", "line 2: not valid YAML: did not find expected ',' or ']'"),
        (PlanFixture.yaml(["VSW_EXTRA": "      shared: true"]), "line 8: vpc.vSwitches[0].shared: unknown field; expected one of name, cidrs"),
        (PlanFixture.yaml(["VPC": "192.168.1.0/16"]), "line 4: vpc.cidrs[0]: '192.168.1.0/16' has host bits set; the block is 192.168.0.0/16"),
        (PlanFixture.yaml(["EDGE_NODES": "ten"]), "line 34: edgeDomains[0].edgeNodes: expected an integer from 0 to 1000000, found \"ten\""),
    ])
    func unparsablePlansExitTwo(yaml: String, message: String) throws {
        let dir = try TemporaryDirectory("te-plan")
        let path = try writePlan(dir, yaml)
        for command in [["plan", "check", path], ["plan", "render", path, "--for", "vbr"]] {
            let result = try terwayEdge(command)
            #expect(result.status == 2 && result.stdout.isEmpty)
            #expect(result.stderr == "\(path): \(message)\n")
        }
    }

    @Test func missingFileExitsTwo() throws {
        let result = try terwayEdge(["plan", "check", "/nonexistent/plan.yaml"])
        #expect(result.status == 2 && result.stderr.hasPrefix("/nonexistent/plan.yaml: cannot read the file"))
    }

    @Test func renderRoutesAsTextAndJSON() throws {
        let text = try terwayEdge(["plan", "render", PlanFixture.example("seed.yaml"), "--for", "vbr"])
        #expect(text.status == 0)
        #expect(text.stdout == """
        # VBR of data center dc1-site: static routes toward its circuit and the VPC
        DESTINATION     NEXT HOP                                PATH
        10.0.0.0/16     Express Connect circuit → 172.31.255.2  cloud pods → edge pods of dc1
        192.168.0.0/16  VPC (the VBR's attached VPC)            edge pods of dc1 → cloud pods; networks of data center dc1-site → cloud pods
        172.16.0.0/16   Express Connect circuit → 172.31.255.2  cloud pods → networks of data center dc1-site

        """)
        let json = try terwayEdge(["plan", "render", PlanFixture.example("seed.yaml"), "--for", "vpc", "--output", "json"])
        let devices = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(devices.count == 1 && devices[0]["device"] as? String == "vpc" && (devices[0]["routes"] as? [Any])?.count == 2)
    }

    /// 1: the two-domain example renders every path carried, and one data center's devices on request.
    @Test func renderPathsAndOneDataCenter() throws {
        let paths = try terwayEdge(["plan", "render", PlanFixture.example("two-domains.yaml"), "--for", "paths"])
        #expect(paths.status == 0 && paths.stdout.contains("edge pods of beijing → edge pods of shanghai  IPv4  carried"))
        #expect(!paths.stdout.contains("NOT CARRIED"))
        let json = try terwayEdge(["plan", "render", PlanFixture.example("two-domains.yaml"), "--for", "paths", "--output", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 14 && list.allSatisfy { $0["carried"] as? Bool == true })
        let shanghai = try terwayEdge(["plan", "render", PlanFixture.example("two-domains.yaml"), "--for", "dc-router", "--data-center", "shanghai-dc"])
        #expect(shanghai.status == 0 && shanghai.stdout.hasPrefix("# Router of data center shanghai-dc") && !shanghai.stdout.contains("beijing-dc:"))
        #expect(shanghai.stdout.contains("10.0.0.0/16     172.31.255.5"))
        let unknown = try terwayEdge(["plan", "render", PlanFixture.example("two-domains.yaml"), "--for", "vbr", "--data-center", "x"])
        #expect(unknown.status == 64 && unknown.stderr.contains("no data center 'x'; the plan has beijing-dc, shanghai-dc"))
    }

    @Test func renderRefusesUnsoundPlansAndAmbiguousDomains() throws {
        let dir = try TemporaryDirectory("te-plan")
        let unsound = try terwayEdge(["plan", "render", try writePlan(dir, PlanFixture.yaml(["PODS": "192.168.0.0/16"])), "--for", "frr"])
        #expect(unsound.status == 1 && unsound.stdout.isEmpty && unsound.stderr.contains("the plan has 2 error(s)"))
        let ambiguous = try terwayEdge(["plan", "render", PlanFixture.example("two-domains.yaml"), "--for", "bird"])
        #expect(ambiguous.status == 64 && ambiguous.stderr.contains("pick one with --domain (beijing, shanghai)"))
        let bird = try terwayEdge(["plan", "render", PlanFixture.example("two-domains.yaml"), "--for", "bird", "--domain", "shanghai"])
        #expect(bird.status == 0 && bird.stdout.contains("neighbor range 172.17.20.0/24 as 65011;"))
        let jsonConfig = try terwayEdge(["plan", "render", PlanFixture.example("seed.yaml"), "--for", "frr", "--output", "json"])
        #expect(jsonConfig.status == 64)
    }

    /// The help texts are part of the interface: compared with the committed snapshots.
    @Test(arguments: ["plan", "plan check", "plan render"])
    func helpMatchesSnapshot(command: String) throws {
        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Snapshots/\(command.replacingOccurrences(of: " ", with: "-"))-help.txt")
        let result = try terwayEdge(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout == (try String(contentsOf: snapshot, encoding: .utf8)))
    }
}
