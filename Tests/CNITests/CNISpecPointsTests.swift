import CNI
import JSON
import Testing

/// Spec points a runtime relies on (issue 15, items 1, 5 and 8): VERSION's echo, an optional
/// CNI_PATH, the conflist version negotiation of libcni, GC's attachment keys, and a DEL that
/// still reaches the plugin when what comes with it would not parse.
@Suite struct CNISpecPointsTests {
    let dispatcher = CNIDispatcherTests()

    /// SPEC.md, VERSION: the output's `cniVersion` is "the value of cniVersion specified on input".
    @Test func versionEchoesTheVersionItWasAskedIn() {
        for asked in ["0.3.1", "0.4.0", "1.0.0", "1.1.0"] {
            let (status, out) = dispatcher.run("VERSION", env: [:], stdin: Array(#"{"cniVersion":"\#(asked)"}"#.utf8))
            #expect(status == 0)
            #expect(out?["cniVersion"] == .string(asked))
        }
        // No input (or one without a version): the newest.
        #expect(dispatcher.run("VERSION", env: [:], stdin: []).1?["cniVersion"] == "1.1.0")
    }

    /// SPEC.md 1.1: CNI_PATH is only needed by plugins that call others; this one does not.
    @Test(arguments: ["ADD", "CHECK", "DEL", "GC", "STATUS"])
    func cniPathIsOptional(command: String) {
        var env = CNIDispatcherTests.env
        env["CNI_PATH"] = nil
        let plugin = RecordingPlugin()
        let (status, out) = dispatcher.run(command, env: env, plugin: plugin)
        #expect(status == 0, "\(String(describing: out))")
        #expect(plugin.requests.first?.path == [])
    }

    /// libcni (`ConfListFromBytes`) sorts `cniVersions` together with `cniVersion` and takes the
    /// highest it supports.
    @Test func conflistNegotiatesCNIVersionAndCNIVersionsTogether() throws {
        let list = try NetworkConfigList(json: try JSONValue.parse(#"""
        {"cniVersion":"1.1.0","cniVersions":["0.4.0","1.0.0"],"name":"edge","plugins":[{"type":"terway-edge-cni"}]}
        """#))
        #expect(list.negotiatedVersion() == .v1_1_0)
        #expect(list.negotiatedVersion(runtimeSupports: [.v0_4_0, .v1_0_0]) == .v1_0_0)
    }

    /// The tagged 1.1.0 SPEC.md names the key `cni.dev/attachments`, main and libcni
    /// `cni.dev/valid-attachments` (libcni sends both); no key at all is not an empty list.
    @Test func gcReadsBothAttachmentKeysAndTellsAMissingListApart() throws {
        for key in ["cni.dev/valid-attachments", "cni.dev/attachments"] {
            let config = try NetworkConfig(bytes: Array(#"{"cniVersion":"1.1.0","name":"n","type":"t","\#(key)":[{"containerID":"c1","ifname":"eth0"}]}"#.utf8))
            #expect(config.validAttachments == [CNIAttachment(containerID: "c1", ifname: "eth0")], "\(key)")
        }
        let none = try NetworkConfig(bytes: Array(#"{"cniVersion":"1.1.0","name":"n","type":"t"}"#.utf8))
        #expect(none.validAttachments == nil)
    }

    /// DEL must reach the plugin even when its prevResult, CNI_ARGS or CNI_NETNS would be
    /// refused for ADD: a pod must never be stuck terminating on them.
    @Test(arguments: [
        ("prevResult", #"{"cniVersion":"1.1.0","name":"edge","type":"t","prevResult":{"ips":[{"address":"nonsense"}]}}"#, [String: String]()),
        ("CNI_ARGS", #"{"cniVersion":"1.1.0","name":"edge","type":"t"}"#, ["CNI_ARGS": "K8S_POD_NAME=web;garbage"]),
        ("CNI_NETNS", #"{"cniVersion":"1.1.0","name":"edge","type":"t"}"#, ["CNI_NETNS": "relative/ns"]),
        ("cniVersion", #"{"cniVersion":"0.2.0","name":"edge","type":"t"}"#, [String: String]()),
    ])
    func delReachesThePluginDespiteInputItWouldRefuseForAdd(what: String, config: String, changes: [String: String]) {
        var env = CNIDispatcherTests.env
        for (key, value) in changes { env[key] = value }
        let plugin = RecordingPlugin()
        let (status, out) = dispatcher.run("DEL", env: env, stdin: Array(config.utf8), plugin: plugin)
        #expect(status == 0, "\(what): \(String(describing: out))")
        #expect(plugin.requests.first?.containerID == "c0ffee", "\(what)")
        #expect(plugin.requests.first?.ifname == "eth0", "\(what)")
    }
}
