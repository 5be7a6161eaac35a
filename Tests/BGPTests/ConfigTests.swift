import BGP
import BGPCore
import ConfigFile
import NetworkCore
import Testing
import TestSupport

@Suite struct ConfigTests {
    static let valid = """
        localAS: 65002
        routerID: 10.254.0.2
        listen: 10.254.0.2:179
        controlSocket: /run/terway-edge/bgp.sock
        gracefulRestart: { restartTime: 120 }
        peers:
          - address: 10.254.0.1
            as: 65001
            passive: false
            holdTime: 90
            password: secret
            maxPrefixes: 2000000
            ttlSecurity: 1
          - address: fd00::1
            as: 4200000000
            port: 1179
            passive: true
            families: [ipv6]
            exportLearned: true
            otherFamilyNextHop: 10.254.0.2
        originate:
          - prefix: 10.0.1.0/24
            communities: ["65002:100", no-export]
          - prefix: fd00:1::/64
        """

    @Test func parsesTheIssueExample() throws {
        let config = try BGPConfig(yaml: Self.valid)
        #expect(config.localAS == 65002)
        #expect(config.routerID == IPv4Address(10, 254, 0, 2))
        #expect(config.listen == SocketEndpoint(address: IPAddress("10.254.0.2")!, port: 179))
        #expect(config.controlSocket == "/run/terway-edge/bgp.sock")
        #expect(config.gracefulRestart == GracefulRestartConfig(restartTime: 120))
        #expect(config.peers.count == 2)
        let first = config.peers[0]
        #expect(first.address == IPAddress("10.254.0.1"))
        #expect(first.remoteAS == 65001 && !first.passive && first.holdTime == 90)
        #expect(first.password == "secret" && first.prefixLimit == PrefixLimit(both: 2_000_000) && first.ttlSecurity == 1)
        #expect(first.families == [.v4, .v6] && first.port == 179 && !first.exportLearned)
        let second = config.peers[1]
        #expect(second.remoteAS == 4_200_000_000 && second.port == 1179 && second.passive)
        #expect(second.families == [.v6] && second.exportLearned && second.password == nil)
        #expect(second.otherFamilyNextHop == IPAddress("10.254.0.2"))
        #expect(config.originate[0] == OriginateConfig(prefix: IPPrefix("10.0.1.0/24")!,
                                                       communities: [Community(asNumber: 65002, value: 100), .noExport]))
        #expect(config.originate[1].prefix == IPPrefix("fd00:1::/64"))
        #expect(config.peer(at: IPAddress("fd00::1")!)?.remoteAS == 4_200_000_000)
        #expect(config.peer(at: IPAddress("10.254.0.9")!) == nil)
    }

    @Test func appliesDefaults() throws {
        let config = try BGPConfig(yaml: "localAS: 1\nrouterID: 1.1.1.1\npeers: [{address: 10.0.0.1, as: 2}]")
        // Dual stack by default: IPv6 peers and (IPv4-mapped) IPv4 peers on one socket.
        #expect(config.listen == SocketEndpoint(address: .v6(IPv6Address(0)), port: 179))
        #expect(config.controlSocket == "/run/terway-edge/bgp.sock")
        #expect(config.gracefulRestart == nil && config.originate.isEmpty)
        #expect(config.peers[0].holdTime == 90 && config.peers[0].connectRetryTime == 120)
        // iBGP and multihop next hops resolve through main, never through the default route.
        #expect(config.nextHops == NextHopConfig(resolve: true, table: 254, resolveViaDefault: false, resyncInterval: .seconds(60)))
    }

    @Test func parsesNextHopResolution() throws {
        let config = try BGPConfig(yaml: """
            localAS: 1
            routerID: 1.1.1.1
            nextHops: { table: 100, resolveViaDefault: true, resyncInterval: 30 }
            peers: [{address: 10.0.0.1, as: 1}, {address: 10.0.0.2, as: 2, multihop: 2}, {address: 10.0.0.3, as: 3}]
            """)
        #expect(config.nextHops == NextHopConfig(table: 100, resolveViaDefault: true, resyncInterval: .seconds(30)))
        // iBGP and multihop eBGP resolve; only the single-hop eBGP peer is checked against connected networks.
        #expect(config.peers.map { $0.isSingleHopExternal(localAS: 1) } == [false, false, true])
        #expect(try BGPConfig(yaml: "localAS: 1\nrouterID: 1.1.1.1\nnextHops: {resolve: false}").nextHops.resolve == false)
    }

    @Test func parsesIPv6ListenAndDisabledListen() throws {
        let v6 = try BGPConfig(yaml: "localAS: 1\nrouterID: 1.1.1.1\nlisten: '[::1]:1790'")
        #expect(v6.listen == SocketEndpoint(address: IPAddress("::1")!, port: 1790))
        #expect(try BGPConfig(yaml: "localAS: 1\nrouterID: 1.1.1.1\nlisten: none").listen == nil)
    }

    /// Each refusal names its field: (yaml with one broken line, expected message).
    static let refusals: [(String, String)] = [
        ("localAS: 0", "localAS: expected an integer from 1 to 4294967295, found \"0\""),
        ("localAS: 4294967296", "localAS: expected an integer from 1 to 4294967295, found \"4294967296\""),
        ("localAS: abc", "localAS: expected an integer from 1 to 4294967295, found \"abc\""),
        ("localAS: '65002'", "localAS: expected an integer from 1 to 4294967295, found \"65002\""),
        ("routerID: 0.0.0.0", "routerID: must be a non-zero IPv4 address"),
        ("routerID: fd00::1", "routerID: must be a non-zero IPv4 address"),
        ("routerID: 1.2.3", "routerID: '1.2.3' is not an IPv4 or IPv6 address"),
        ("listen: 10.0.0.1:0", "listen: must be ADDRESS:PORT, [IPV6]:PORT or an address (port 179)"),
        ("controlSocket: relative.sock", "controlSocket: must be an absolute path shorter than 108 bytes"),
        ("gracefulRestart: { restartTime: 4096 }", "gracefulRestart.restartTime: expected an integer from 1 to 4095, found \"4096\""),
        ("gracefulRestart: { restrtTime: 5 }", "gracefulRestart.restrtTime: unknown field; expected one of restartTime, selectionDeferral"),
        ("nextHops: { table: 255 }", "nextHops.table: must not be 255 (the local table)"),
        ("nextHops: { tabel: 5 }", "nextHops.tabel: unknown field; expected one of resolve, table, resolveViaDefault, resyncInterval"),
        ("localAs: 5", "localAs: unknown field; expected one of localAS, routerID, listen, controlSocket, gracefulRestart, peers, originate, originateFile, nextHops"),
        ("peers: [{address: 10.0.0.1, as: 2}, {address: 10.0.0.2, as: 0}]", "peers[1].as: expected an integer from 1 to 4294967295, found \"0\""),
        ("peers: [{address: 10.0.0.300, as: 2}]", "peers[0].address: '10.0.0.300' is not an IPv4 or IPv6 address"),
        ("peers: [{as: 2}]", "peers[0].address: missing required field"),
        ("peers: [{address: 10.0.0.1}]", "peers[0].as: missing required field"),
        ("peers: [{address: 10.0.0.1, as: 2, holdTime: 2}]", "peers[0].holdTime: must be 0 or 3..65535"),
        ("peers: [{address: 10.0.0.1, as: 2, holdTime: 70000}]", "peers[0].holdTime: expected an integer from 0 to 65535, found \"70000\""),
        ("peers: [{address: 10.0.0.1, as: 2, port: 0}]", "peers[0].port: expected an integer from 1 to 65535, found \"0\""),
        ("peers: [{address: 10.0.0.1, as: 2, passive: maybe}]", "peers[0].passive: expected true or false, found \"maybe\""),
        ("peers: [{address: 10.0.0.1, as: 2, password: ''}]", "peers[0].password: must be 1..80 bytes"),
        ("peers: [{address: 10.0.0.1, as: 2, maxPrefixes: 0}]", "peers[0].maxPrefixes: expected an integer from 1 to 2147483647, found \"0\""),
        ("peers: [{address: 10.0.0.1, as: 2, ttlSecurity: 255}]", "peers[0].ttlSecurity: expected an integer from 1 to 254, found \"255\""),
        ("peers: [{address: 10.0.0.1, as: 2, families: [ipx]}]", "peers[0].families[0]: must be ipv4 or ipv6"),
        ("peers: [{address: 10.0.0.1, as: 2, families: []}]", "peers[0].families: must name at least one family"),
        ("peers: [{address: 10.0.0.1, as: 2, localAddress: 'fd00::2'}]",
         "peers[0].localAddress: must be of the same family as address"),
        ("peers: [{address: 10.0.0.1, as: 2, otherFamilyNextHop: 10.0.0.2}]",
         "peers[0].otherFamilyNextHop: must be of the other family than address"),
        ("peers: [{address: 10.0.0.1, as: 2}, {address: 10.0.0.1, as: 3}]",
         "peers[1].address: 10.0.0.1 is configured twice"),
        ("peers: {address: 10.0.0.1}", "peers: expected a list (write [a, b] or one '- item' per line), found a mapping"),
        ("originate: [{prefix: 10.0.1.1/24}]", "originate[0].prefix: \(PrefixParseError.hostBitsSet("10.0.1.1/24", network: IPPrefix("10.0.1.0/24")!))"),
        ("originate: [{prefix: 10.0.1.0/24, communities: ['65536:1']}]",
         "originate[0].communities[0]: must be ASN:VALUE (each 0..65535) or no-export, no-advertise, no-export-subconfed, no-peer"),
        ("originate: [{prefix: 10.0.1.0/24}, {prefix: 10.0.1.0/24}]",
         "originate[1].prefix: 10.0.1.0/24 is originated twice"),
    ]

    @Test(arguments: refusals)
    func refusesNamingTheField(line: String, message: String) {
        var fields = ["localAS": "localAS: 65002", "routerID": "routerID: 10.0.0.2"]
        fields[String(line.prefix { $0 != ":" })] = line
        let yaml = fields.sorted { $0.key < $1.key }.map(\.value).joined(separator: "\n")
        let error = #expect(throws: ConfigError.self) { try BGPConfig(yaml: yaml) }
        // Each field sits on its own line, in key order: the error names that line.
        let number = fields.keys.sorted().firstIndex(of: String(line.prefix { $0 != ":" }))! + 1
        #expect(error?.description == "line \(number): \(message)")
    }

    @Test func refusesMissingFieldsAndBadYAML() {
        #expect(throws: ConfigError(line: 1, field: "localAS", "missing required field")) { try BGPConfig(yaml: "routerID: 1.1.1.1") }
        #expect(throws: ConfigError(line: 1, field: "routerID", "missing required field")) { try BGPConfig(yaml: "localAS: 1") }
        #expect(throws: ConfigError(field: "", "the file is empty")) { try BGPConfig(yaml: "") }
        #expect(throws: ConfigError(line: 2, field: "", "not valid YAML: did not find expected ',' or ']'")) { try BGPConfig(yaml: "localAS: [1") }
        #expect(throws: ConfigError(line: 1, field: "", "duplicate key localAS in a mapping")) {
            try BGPConfig(yaml: "localAS: 1\nrouterID: 1.1.1.1\nlocalAS: 2")
        }
    }

    @Test func originateFileAddsPrefixesWithCommunities() throws {
        let routes = try OriginateFile.parse("# table\n10.0.1.0/24 65002:100 no-export\n\nfd00:1::/64   # v6\n", name: "t.txt")
        #expect(routes == [OriginateConfig(prefix: IPPrefix("10.0.1.0/24")!, communities: [Community(asNumber: 65002, value: 100), .noExport]),
                           OriginateConfig(prefix: IPPrefix("fd00:1::/64")!)])
        #expect(throws: ConfigError(field: "t.txt:2", "'65002:x' is not a community (ASN:VALUE or a well-known name)")) {
            try OriginateFile.parse("10.0.1.0/24\n10.0.2.0/24 65002:x\n", name: "t.txt")
        }
        #expect(throws: ConfigError.self) { try OriginateFile.parse("10.0.1.1/24\n", name: "t.txt") }
    }

    @Test func originateFileAppendsAfterTheRoutesAlreadyThere() throws {
        var routes = [OriginateConfig(prefix: IPPrefix("10.0.0.0/24")!)]
        try OriginateFile.parse("10.0.1.0/24\t65002:1\r\n  fd00:2::/64\n# end", name: "t.txt", into: &routes)
        #expect(routes == [OriginateConfig(prefix: IPPrefix("10.0.0.0/24")!),
                           OriginateConfig(prefix: IPPrefix("10.0.1.0/24")!, communities: [Community(asNumber: 65002, value: 1)]),
                           OriginateConfig(prefix: IPPrefix("fd00:2::/64")!)])
        #expect(throws: ConfigError(field: "t.txt:3", "\(PrefixParseError.missingLength("10.0.3.0"))")) {
            try OriginateFile.parse("10.0.1.0/24\n\n10.0.3.0 65002:1\n", name: "t.txt", into: &routes)
        }
        #expect(routes.count == 3)  // a refused file adds nothing
    }

    @Test func loadRefusesAPrefixTwiceInTheFileOfEitherFamily() throws {
        let directory = try TemporaryDirectory("te-bgpcfg")
        try directory.write("bgp.yaml", "localAS: 1\nrouterID: 1.1.1.1\noriginateFile: table.txt\n")
        let table = (0..<20_000).map { "10.\($0 >> 8).\($0 & 255).0/24" }
        try directory.write("table.txt", (table + ["fd00::/64", "fd00:1::/64"]).joined(separator: "\n"))
        let config = try BGPConfig.load(contentsOf: directory.file("bgp.yaml"))
        #expect(config.originate.count == 20_002 && config.originate[19_999].prefix == IPPrefix("10.78.31.0/24"))
        try directory.write("table.txt", (table + ["10.0.7.0/24"]).joined(separator: "\n"))
        #expect(throws: ConfigError(field: "originateFile", "10.0.7.0/24 is originated twice")) {
            try BGPConfig.load(contentsOf: directory.file("bgp.yaml"))
        }
        try directory.write("table.txt", "fd00::/64\n10.0.0.0/8\nfd00:0::/64\n")
        #expect(throws: ConfigError(field: "originateFile", "fd00::/64 is originated twice")) {
            try BGPConfig.load(contentsOf: directory.file("bgp.yaml"))
        }
    }

    @Test func loadMergesTheOriginateFileAndRefusesDuplicates() throws {
        let directory = try TemporaryDirectory("te-bgpcfg")
        try directory.write("table.txt", "10.0.2.0/24\n10.0.3.0/24\n")
        try directory.write("bgp.yaml", "localAS: 1\nrouterID: 1.1.1.1\noriginate: [{prefix: 10.0.1.0/24}]\noriginateFile: table.txt\n")
        let config = try BGPConfig.load(contentsOf: directory.file("bgp.yaml"))
        #expect(config.originate.map(\.prefix.description) == ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"])
        try directory.write("table.txt", "10.0.1.0/24\n")
        #expect(throws: ConfigError(field: "originateFile", "10.0.1.0/24 is originated twice")) {
            try BGPConfig.load(contentsOf: directory.file("bgp.yaml"))
        }
        try directory.write("bgp.yaml", "localAS: 1\nrouterID: 1.1.1.1\noriginateFile: missing.txt\n")
        #expect(throws: ConfigError.self) { try BGPConfig.load(contentsOf: directory.file("bgp.yaml")) }
    }
}
