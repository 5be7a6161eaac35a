import CNI
import JSON
import Testing

@Suite struct NetworkConfigTests {
    @Test func readsConfigWithPrevResultAndAttachments() throws {
        let text = #"""
        {"cniVersion":"1.1.0","name":"edge","type":"terway-edge-cni","subnet":"10.0.3.0/24",
         "prevResult":{"cniVersion":"1.1.0","ips":[{"address":"10.0.3.2/24"}]},
         "cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"}]}
        """#
        let config = try NetworkConfig(bytes: Array(text.utf8))
        #expect(config.cniVersion == .v1_1_0)
        #expect(config.name == "edge")
        #expect(config.type == "terway-edge-cni")
        #expect(config.prevResult?.ips.first?.address.description == "10.0.3.2/24")
        #expect(config.validAttachments == [CNIAttachment(containerID: "c1", ifname: "eth0")])
        #expect(config.raw["subnet"] == "10.0.3.0/24")
    }

    static let bad: [(String, CNIErrorCode, String)] = [
        ("{", .decodingFailure, "not valid JSON"),
        ("[]", .invalidNetworkConfig, "must be a JSON object"),
        (#"{"name":"n","type":"t"}"#, .invalidNetworkConfig, "cniVersion"),
        (#"{"cniVersion":"0.2.0","name":"n","type":"t"}"#, .incompatibleVersion, "incompatible CNI version"),
        (#"{"cniVersion":"9.9.9","name":"n","type":"t"}"#, .incompatibleVersion, "incompatible CNI version"),
        (#"{"cniVersion":"1.1.0","type":"t"}"#, .invalidNetworkConfig, "\"name\" is missing"),
        (#"{"cniVersion":"1.1.0","name":"a/b","type":"t"}"#, .invalidNetworkConfig, "invalid network name"),
        (#"{"cniVersion":"1.1.0","name":"n","type":5}"#, .invalidNetworkConfig, "\"type\" must be a string"),
        (#"{"cniVersion":"1.1.0","name":"n","type":"t","cni.dev/valid-attachments":[{"ifname":"e"}]}"#,
         .invalidNetworkConfig, "containerID"),
    ]

    @Test(arguments: bad)
    func refuses(text: String, code: CNIErrorCode, message: String) {
        do {
            _ = try NetworkConfig(bytes: Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == code)
            #expect(error.msg.contains(message), "\(error.msg)")
        }
    }

    @Test func conflistNegotiatesAndBuildsPluginConfigs() throws {
        let list = try NetworkConfigList(json: try JSONValue.parse(#"""
        {"cniVersion":"1.0.0","cniVersions":["0.4.0","1.1.0","2.0.0"],"name":"edge",
         "plugins":[{"type":"terway-edge-cni","subnet":"10.0.3.0/24"},{"type":"portmap","capabilities":{"portMappings":true}}]}
        """#))
        #expect(list.negotiatedVersion() == .v1_1_0)
        #expect(list.negotiatedVersion(runtimeSupports: [.v0_4_0, .v1_0_0]) == .v1_0_0) // cniVersion 1.0.0 counts too (libcni)
        #expect(list.negotiatedVersion(runtimeSupports: [.v1_0_0]) == .v1_0_0)
        #expect(list.negotiatedVersion(runtimeSupports: [.v0_3_1]) == nil)
        let second = list.pluginConfig(at: 1, version: .v1_1_0, prevResult: ["cniVersion": "1.1.0"])
        #expect(second["name"] == "edge")
        #expect(second["cniVersion"] == "1.1.0")
        #expect(second["type"] == "portmap")
        #expect(second["prevResult"]?["cniVersion"] == "1.1.0")
        #expect(throws: CNIError.self) { try NetworkConfigList(json: ["name": "x", "plugins": []]) }
    }
}
