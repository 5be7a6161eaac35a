import CNI
import CNIProtocol
import CNIPlugin
import JSON
import NetworkCore
import Testing

@Suite struct EdgeConfigTests {
    static func network(_ fields: [String: JSONValue]) throws -> NetworkConfig {
        var object: JSONValue = ["cniVersion": "1.1.0", "name": "edge", "type": "terway-edge-cni"]
        for (key, value) in fields {
            guard case .object(var o) = object else { break }
            o[key] = value
            object = .object(o)
        }
        return try NetworkConfig(json: object)
    }

    static func noFiles(_ path: String) -> [UInt8]? { nil }

    @Test func defaults() throws {
        let config = try EdgeConfig(Self.network(["subnet": "10.0.3.0/24"]), readFile: Self.noFiles)
        #expect(config.subnets == [IPPrefix("10.0.3.0/24")!])
        #expect(config.bridge == "cni0")
        #expect(config.mtu == 1500)
        #expect(config.hairpin)
        #expect(config.storeDirectory == "/run/terway-edge/ipam/edge")
        #expect(config.gateways.map(\.description) == ["10.0.3.1/24"])
        #expect(config.routes.map(\.destination.description) == ["0.0.0.0/0"])
    }

    @Test func dualStackRoutesAndDNS() throws {
        let config = try EdgeConfig(Self.network([
            "subnet": ["fd00:0:3::/64", "10.0.3.0/24"], "mtu": 1450, "bridge": "br-pods", "dataDir": "/run/te",
            "routes": [["dst": "10.96.0.0/12"], ["dst": "fd00:96::/108", "gw": "fd00:0:3::fe"]],
            "dns": ["nameservers": ["10.96.0.10"], "search": ["svc.cluster.local"]],
            "exclude": ["10.0.3.0/28", "fd00:0:3::/120"],
        ]), readFile: Self.noFiles)
        #expect(config.exclusions.map(\.description) == ["10.0.3.0/28", "fd00:0:3::/120"])
        #expect(config.subnets.map(\.description) == ["10.0.3.0/24", "fd00:0:3::/64"])
        #expect(config.gateways.map(\.description) == ["10.0.3.1/24", "fd00:0:3::1/64"])
        #expect(config.routes.map(\.destination.description) == ["10.96.0.0/12", "fd00:96::/108"])
        #expect(config.routes.map(\.gateway?.description) == [nil, "fd00:0:3::fe"])
        #expect(config.dns?.nameservers == ["10.96.0.10"])
        #expect(config.mtu == 1450)
    }

    @Test func subnetFile() throws {
        let file = Array(#"{"subnets":["10.0.7.0/24"],"mtu":1400,"leaseExpires":"later"}"#.utf8)
        let config = try EdgeConfig(Self.network(["subnetFile": "/run/terway-edge/subnet.json"]),
                                    readFile: { path in path == "/run/terway-edge/subnet.json" ? file : nil })
        #expect(config.subnets == [IPPrefix("10.0.7.0/24")!])
        #expect(config.mtu == 1400)
        let overridden = try EdgeConfig(Self.network(["subnetFile": "/f", "mtu": 1300]), readFile: { _ in file })
        #expect(overridden.mtu == 1300)
        #expect(SubnetFile(subnets: [IPPrefix("10.0.7.0/24")!], mtu: 1400).json.serialized() == #"{"subnets":["10.0.7.0/24"],"mtu":1400}"#)
    }

    static let bad: [([String: JSONValue], CNIErrorCode, String)] = [
        (["subnet": "10.0.3.1/24"], .invalidNetworkConfig, "host bits set; the block is 10.0.3.0/24"),
        (["subnet": "10.0.3.0/33"], .invalidNetworkConfig, "prefix length"),
        (["subnet": "10.0.3.0/31"], .invalidNetworkConfig, "too small for pods"),
        (["subnet": ["10.0.3.0/24", "10.0.4.0/24"]], .invalidNetworkConfig, "two IPv4 subnets"),
        (["subnet": 5], .invalidNetworkConfig, "must be a CIDR string"),
        ([:], .invalidNetworkConfig, "no node subnet"),
        (["subnet": "10.0.3.0/24", "subnetFile": "/f"], .invalidNetworkConfig, "more than one of"),
        (["subnet": "10.0.3.0/24", "ipam": ["type": "host-local", "ranges": [[["subnet": "10.0.4.0/24"]]]]], .invalidNetworkConfig, "more than one of"),
        (["ipam": ["type": "dhcp"]], .invalidNetworkConfig, "ipam type \"dhcp\" is not supported"),
        (["ipam": ["type": "host-local"]], .invalidNetworkConfig, "ipam has no \"ranges\""),
        (["ipam": ["type": "host-local", "ranges": [[["subnet": "10.0.3.0/24", "rangeStart": "10.0.4.1"]]]]], .invalidNetworkConfig, "not an address of 10.0.3.0/24"),
        (["ipam": ["type": "host-local", "ranges": [[["subnet": "10.0.3.0/24"]], [["subnet": "10.0.4.0/24"]]]]], .invalidNetworkConfig, "two ipam range sets"),
        (["ipam": ["type": "host-local", "ranges": [[["subnet": "10.0.3.0/24"], ["subnet": "fd00::/64"]]]]], .invalidNetworkConfig, "mixes IPv4 and IPv6"),
        (["subnet": ["10.0.3.0/24", "fd00::/64"], "mtu": 1200], .invalidNetworkConfig, "below 1280"),
        (["subnet": "10.0.3.0/24", "ipMasq": true], .unsupportedField, "\"ipMasq\": true is not implemented"),
        (["subnet": "10.0.3.0/24", "isGateway": false], .unsupportedField, "\"isGateway\": false is not implemented"),
        (["subnet": "10.0.3.0/24", "promiscMode": true], .unsupportedField, "\"promiscMode\": true is not implemented"),
        (["subnet": "10.0.3.0/24", "vlan": 100], .unsupportedField, "\"vlan\": 100 is not implemented"),
        (["subnet": "10.0.3.0/24", "vlanTrunk": [["id": 5]]], .unsupportedField, "\"vlanTrunk\": [{\"id\":5}] is not implemented"),
        (["subnet": "10.0.3.0/24", "macspoofchk": true], .unsupportedField, "\"macspoofchk\": true is not implemented"),
        (["subnet": "10.0.3.0/24", "disableContainerInterface": true], .unsupportedField, "\"disableContainerInterface\": true is not implemented"),
        (["subnet": "10.0.3.0/24", "preserveDefaultVlan": true], .unsupportedField, "\"preserveDefaultVlan\": true is not implemented"),
        (["subnet": "10.0.3.0/24", "enabledad": true], .unsupportedField, "\"enabledad\": true is not implemented"),
        (["subnetFile": "/missing"], .tryAgainLater, "does not exist yet"),
        (["subnet": "10.0.3.0/24", "mode": "cloud"], .invalidNetworkConfig, "mode \"cloud\" is not supported"),
        (["subnet": "10.0.3.0/24", "bridge": "a-very-long-bridge"], .invalidNetworkConfig, "too long"),
        (["subnet": "10.0.3.0/24", "mtu": 100], .invalidNetworkConfig, "\"mtu\" is 100"),
        (["subnet": "10.0.3.0/24", "dataDir": "relative"], .invalidNetworkConfig, "absolute path"),
        (["subnet": "10.0.3.0/24", "exclude": ["10.0.4.0/28"]], .invalidNetworkConfig, "not inside a node subnet"),
        (["subnet": "10.0.3.0/24", "exclude": ["10.0.3.1/28"]], .invalidNetworkConfig, "host bits"),
        (["subnet": "10.0.3.0/24", "routes": [["dst": "fd00::/8"]]], .invalidNetworkConfig, "no node subnet of its family"),
        (["subnet": "10.0.3.0/24", "routes": [["dst": "10.96.0.0/12", "gw": "fd00::1"]]], .invalidNetworkConfig, "not an address of its family"),
    ]

    @Test(arguments: bad)
    func refuses(fields: [String: JSONValue], code: CNIErrorCode, message: String) throws {
        let network = try Self.network(fields)
        do {
            _ = try EdgeConfig(network, readFile: Self.noFiles)
            Issue.record("accepted \(fields)")
        } catch {
            #expect(error.code == code)
            #expect("\(error.msg) \(error.details)".contains(message), "\(error)")
        }
    }

    /// What flannel generates for its `bridge` delegate, with only `type` changed.
    @Test func flannelGeneratedBridgeConfig() throws {
        let config = try EdgeConfig(Self.network([
            "bridge": "cni0", "mtu": 1450, "hairpinMode": true, "isGateway": true, "isDefaultGateway": true, "ipMasq": false,
            "ipam": ["type": "host-local", "ranges": [[["subnet": "10.244.1.0/24"]]], "routes": [["dst": "10.244.0.0/16"]]],
        ]), readFile: Self.noFiles)
        #expect(config.subnets.map(\.description) == ["10.244.1.0/24"])
        #expect(config.gateways.map(\.description) == ["10.244.1.1/24"])
        #expect(config.routes.map(\.destination.description) == ["10.244.0.0/16", "0.0.0.0/0"])
        #expect(config.mtu == 1450)
        // Without isDefaultGateway, as the reference: only the ipam routes.
        let noDefault = try EdgeConfig(Self.network(["ipam": ["type": "host-local", "subnet": "10.244.1.0/24", "routes": [["dst": "10.244.0.0/16"]]]]),
                                       readFile: Self.noFiles)
        #expect(noDefault.routes.map(\.destination.description) == ["10.244.0.0/16"])
    }

    /// host-local's range sets: several ranges of one family, start, end and gateway.
    @Test func hostLocalRanges() throws {
        let config = try EdgeConfig(Self.network([
            "isDefaultGateway": true,
            "ipam": ["type": "host-local", "ranges": [
                [["subnet": "fd00:0:3::/64", "rangeStart": "fd00:0:3::10", "rangeEnd": "fd00:0:3::ff", "gateway": "fd00:0:3::1"]],
                [["subnet": "10.0.3.0/25", "rangeStart": "10.0.3.10"], ["subnet": "10.0.3.128/25", "gateway": "10.0.3.254"]],
            ]],
        ]), readFile: Self.noFiles)
        #expect(config.subnets.map(\.description) == ["10.0.3.0/25", "10.0.3.128/25", "fd00:0:3::/64"])
        #expect(config.gateways.map(\.description) == ["10.0.3.1/25", "10.0.3.254/25", "fd00:0:3::1/64"])
        #expect(config.ranges.map(\.rangeStart?.description) == ["10.0.3.10", nil, "fd00:0:3::10"])
        #expect(config.routes.map(\.destination.description) == ["0.0.0.0/0", "::/0"])
    }

    @Test func wrongTypeIsRefused() throws {
        var network = try Self.network(["subnet": "10.0.3.0/24"])
        network.type = "bridge"
        #expect(throws: CNIError.self) { try EdgeConfig(network, readFile: Self.noFiles) }
    }

    @Test func malformedSubnetFile() {
        for (text, message) in [("{", "not valid JSON"), (#"{"subnets":"10.0.0.0/24"}"#, "must be an array"),
                                (#"{"subnets":["10.0.0.1/24"]}"#, "host bits")] {
            do {
                _ = try SubnetFile(bytes: Array(text.utf8), path: "/f")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.msg.contains("subnet file /f"))
                #expect("\(error.msg) \(error.details)".contains(message), "\(error)")
            }
        }
    }
}
