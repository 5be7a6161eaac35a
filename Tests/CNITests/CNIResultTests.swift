import CNI
import JSON
import NetworkCore
import Testing

@Suite struct CNIResultTests {
    static let result = CNIResult(
        interfaces: [.init(name: "veth0123", mac: "aa:bb:cc:dd:ee:01"),
                     .init(name: "eth0", mac: "aa:bb:cc:dd:ee:02", mtu: 1450, sandbox: "/var/run/netns/p1")],
        ips: [.init(address: InterfaceAddress("10.0.3.7/24")!, gateway: IPAddress("10.0.3.1"), interface: 1),
              .init(address: InterfaceAddress("fd00:0:3::7/64")!, gateway: IPAddress("fd00:0:3::1"), interface: 1)],
        routes: [.init(destination: IPPrefix("0.0.0.0/0")!, gateway: IPAddress("10.0.3.1"), mtu: 1400, priority: 10),
                 .init(destination: IPPrefix("::/0")!, gateway: IPAddress("fd00:0:3::1"))],
        dns: .init(nameservers: ["10.96.0.10"], search: ["svc.cluster.local"]))

    @Test func printsNewestFormat() throws {
        let json = Self.result.json(version: .v1_1_0)
        #expect(json["cniVersion"] == "1.1.0")
        #expect(json["interfaces"]?.arrayValue?[1]["mtu"] == 1450)
        #expect(json["interfaces"]?.arrayValue?[1]["sandbox"] == "/var/run/netns/p1")
        let ip = try #require(json["ips"]?.arrayValue?.first)
        #expect(ip["version"] == nil)
        #expect(ip["address"] == "10.0.3.7/24")
        #expect(ip["gateway"] == "10.0.3.1")
        #expect(ip["interface"] == 1)
        #expect(json["routes"]?.arrayValue?.first?["mtu"] == 1400)
        #expect(json["dns"]?["nameservers"] == ["10.96.0.10"])
    }

    @Test func printsOneZeroWithoutOneOneFields() {
        let json = Self.result.json(version: .v1_0_0)
        #expect(json["interfaces"]?.arrayValue?[1]["mtu"] == nil)
        #expect(json["routes"]?.arrayValue?.first?["mtu"] == nil)
        #expect(json["routes"]?.arrayValue?.first?["priority"] == nil)
        #expect(json["ips"]?.arrayValue?.first?["version"] == nil)
    }

    @Test(arguments: [CNIVersion.v0_3_0, .v0_3_1, .v0_4_0])
    func printsLegacyIPVersion(version: CNIVersion) {
        let json = Self.result.json(version: version)
        #expect(json["cniVersion"] == .string(version.description))
        #expect(json["ips"]?.arrayValue?.map { $0["version"] } == ["4", "6"])
        #expect(json["ips"]?.arrayValue?.first?["interface"] == 1)
        #expect(json["interfaces"]?.arrayValue?[1]["mtu"] == nil)
    }

    /// Every version reads back to the same Result, minus the fields the version lacks.
    @Test(arguments: CNIVersion.supported)
    func roundTrips(version: CNIVersion) throws {
        let text = Self.result.json(version: version).serialized(indent: 4)
        let back = try CNIResult(json: try JSONValue.parse(text))
        var expected = Self.result
        if version < .v1_1_0 {
            expected.interfaces[1].mtu = nil
            expected.routes[0].mtu = nil
            expected.routes[0].priority = nil
        }
        #expect(back == expected)
    }

    @Test func refusesBadResults() {
        let cases: [(String, String)] = [
            (#"{"ips":[{"address":"10.0.0.300/24"}]}"#, "not address/length"),
            (#"{"ips":[{"version":"6","address":"10.0.0.3/24"}]}"#, "does not match its family"),
            (#"{"ips":[{"address":"10.0.0.3/24","interface":2}]}"#, "names interface 2"),
            (#"{"ips":[{"address":"10.0.0.3/24","gateway":"x"}]}"#, "is not an IP address"),
            (#"{"routes":[{"gw":"10.0.0.1"}]}"#, "required field \"dst\""),
            (#"{"interfaces":"eth0"}"#, "must be an array"),
        ]
        for (text, message) in cases {
            do {
                _ = try CNIResult(json: try JSONValue.parse(text))
                Issue.record("accepted \(text)")
            } catch let error as CNIError {
                #expect(error.code == .invalidNetworkConfig)
                #expect(error.msg.contains(message), "\(error.msg)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
