import Agent
import BGP
import NetworkCore
import Plan
import Testing
import TestSupport

@Suite struct AgentConfigTests {
    /// A plan `plan check` finds unsound would give colliding leases and routes: the agent
    /// refuses it with the finding, the plan's lines, the fix and the command that lists all.
    @Test func anUnsoundPlanIsRefusedWithTheFindingItsLinesAndTheFix() throws {
        let overlapping = AgentFixture.plan.replacingOccurrences(of: "cidrs: [172.21.0.0/24]", with: "cidrs: [10.0.0.0/24]")
        #expect {
            try AgentFixture.config("plan: plan.yaml\n", environment: AgentFixture.environment(files: ["/etc/te/plan.yaml": overlapping]))
        } throws: { error in
            let text = "\(error)"
            return text.contains("line 1: plan: the plan /etc/te/plan.yaml is not sound (1 error): overlap: service CIDR 10.0.0.0/24 and edge pods of dc1")
                && text.contains("(line 10 services.cidrs[0], line 23 edgeDomains[0].podCIDRs[0])")
                && text.contains("fix: move one of the two") && text.contains("`terway-edge plan check /etc/te/plan.yaml`")
        }
    }

    /// A store the agent cannot open stops it at start, naming the store and what to fix.
    @Test func aStoreThatCannotBeOpenedStopsTheAgentNamingIt() throws {
        let directory = try TemporaryDirectory("te-agent-config")
        let namespace = try TestNamespace("agent")
        try directory.write("plan.yaml", AgentFixture.plan)
        try directory.write("agent.yaml", """
            plan: plan.yaml
            node: edge-1
            nodeAddress: 172.16.1.20
            store: file:///proc/te-none/leases.db
            subnetFile: \(directory.file("subnet.json"))
            controlSocket: \(directory.file("agent.sock"))
            masquerade: false

            """)
        let agent = try namespace.exec([builtExecutable("terway-edged"), "--config", directory.file("agent.yaml")], check: false)
        #expect(agent.status != 0)
        #expect(agent.stderr.contains("store file:///proc/te-none/leases.db cannot be opened: lease store /proc/te-none/leases.db is unavailable"), "\(agent.stderr)")
        #expect(agent.stderr.contains("fix store: in the agent's config"), "\(agent.stderr)")
    }

    /// A missing file is named with the system's reason, not a Foundation error dump.
    @Test func aMissingConfigOrPlanFileSaysSoPlainly() throws {
        let directory = try TemporaryDirectory("te-agent-config")
        #expect {
            try AgentConfig.load(contentsOf: directory.file("agent.yaml"))
        } throws: { error in
            "\(error)" == "cannot read \(directory.file("agent.yaml")): open \(directory.file("agent.yaml")): No such file or directory (errno 2)"
        }
        try directory.write("agent.yaml", "plan: plan.yaml\nnode: edge-1\nnodeAddress: 172.16.1.20\n")
        #expect {
            try AgentConfig.load(contentsOf: directory.file("agent.yaml"))
        } throws: { error in
            "\(error)".hasSuffix("agent.yaml: line 1: plan: cannot read the plan \(directory.file("plan.yaml")): open \(directory.file("plan.yaml")): No such file or directory (errno 2)")
        }
    }

    @Test func defaultsComeFromTheHostAndThePlan() throws {
        let config = try AgentFixture.config("plan: plan.yaml\n")
        #expect(config.planPath == "/etc/te/plan.yaml")
        #expect(config.node == "edge-1")
        #expect(config.nodeAddress == IPAddress("172.16.1.20"))
        #expect(config.domain.name == "dc1")
        #expect(config.store == "file:///var/lib/terway-edge/leases.db")
        #expect(config.subnetFile == "/run/terway-edge/subnet.json")
        #expect(config.controlSocket == "/run/terway-edge/agent.sock")
        #expect(config.bgpControlSocket == "/run/terway-edge/bgp.sock")
        #expect(config.metricsAddress.description == "127.0.0.1:9464")
        #expect(config.routes.mode == .auto)
        #expect(config.advertise == .nodeSubnet)
        #expect(config.masquerade)
        #expect(config.pools.map { "\($0.block)/\($0.subnetLength)" } == ["10.0.0.0/16/24", "fd00:a::/48/64"])

        // One session per gateway address, from the plan: AS numbers, password, GTSM.
        let speaker = config.speakerConfig()
        #expect(speaker.localAS == 65001)
        #expect(speaker.routerID == IPv4Address("172.16.1.20"))
        #expect(speaker.listen == nil)
        #expect(speaker.gracefulRestart == GracefulRestartConfig(restartTime: 120))
        #expect(speaker.peers.map(\.address) == [IPAddress("172.16.1.1")!, IPAddress("fd00:10::1")!])
        #expect(speaker.peers.allSatisfy { $0.remoteAS == 65000 && $0.password == "k3y" && $0.ttlSecurity == 1 })
        #expect(speaker.peers.map(\.families) == [[.v4], [.v6]])
        #expect(speaker.peers[0].localAddress == IPAddress("172.16.1.20") && speaker.peers[1].localAddress == IPAddress("fd00:10::20"))
        #expect(config.nodeAddresses == [IPAddress("172.16.1.20")!, IPAddress("fd00:10::20")!])
    }

    @Test func everyKeyOverrides() throws {
        let config = try AgentFixture.config("""
        plan: /etc/te/plan.yaml
        domain: dc1
        node: edge-7
        nodeAddress: 172.17.0.7
        store: etcd://10.0.0.1:2379/te
        subnetFile: /run/te/subnet.json
        controlSocket: /run/te/agent.sock
        metricsAddress: "[::1]:9100"
        leaseTTL: 60
        routes:
          mode: classic
          resyncSeconds: 5
          protocol: 210
        bgp:
          advertise: domain-aggregate
          routerID: 1.2.3.4
          holdTime: 9
          connectRetryTime: 2
          password: ""
          gtsm: false
          restartTime: 30
          kernel: {table: 100, metric: 20}
        masquerade: false
        """)
        #expect(config.node == "edge-7" && config.nodeAddress == IPAddress("172.17.0.7"))
        #expect(config.bgpControlSocket == "/run/te/bgp.sock")
        #expect(config.metricsAddress.description == "[::1]:9100")
        #expect(config.leaseTTL == .seconds(60))
        #expect(config.routes.mode == .classic && config.routes.resyncInterval == .seconds(5) && config.routes.peerProtocolID == 210)
        #expect(config.bgp.kernel && config.routes.table == 100 && config.routes.metric == 20 && config.routes.learnedProtocolID == 206)
        #expect(!config.masquerade)
        let speaker = config.speakerConfig()
        #expect(speaker.routerID == IPv4Address("1.2.3.4"))
        #expect(speaker.gracefulRestart?.restartTime == 30)
        #expect(speaker.peers.allSatisfy { $0.password == nil && $0.ttlSecurity == nil && $0.holdTime == 9 && $0.connectRetryTime == 2 })
        // The v4 session is sourced from the node address; the v6 one from what the kernel picks.
        // A node on 172.17.0.0/24 peers with the gateway's address there; its IPv6 default
        // route leaves from fd00:10::20, so it also peers over IPv6.
        #expect(speaker.peers.map(\.address) == [IPAddress("172.17.0.1")!, IPAddress("fd00:10::1")!])
        #expect(speaker.peers[0].localAddress == IPAddress("172.17.0.7") && speaker.peers[1].localAddress == IPAddress("fd00:10::20"))
        // The aggregate of each family the node holds a subnet in.
        #expect(config.advertised(for: [IPPrefix("10.0.3.0/24")!]) == [IPPrefix("10.0.0.0/16")!])
        // Without the key, what the plan says the gateway takes.
        let aggregatePlan = AgentFixture.plan.replacingOccurrences(of: "      gtsm: true\n", with: "      gtsm: true\n      nodesAdvertise: domain-aggregate\n")
        #expect(try AgentFixture.config("plan: plan.yaml\n", environment: AgentFixture.environment(files: ["/etc/te/plan.yaml": aggregatePlan])).advertise == .domainAggregate)
        #expect(try !AgentFixture.config("plan: plan.yaml\nbgp: {kernel: false}\n").bgp.kernel)
    }

    /// Each refusal names the line and the field.
    @Test(arguments: [
        ("plan: plan.yaml\nnodes: x\n", "line 2: nodes: unknown field"),
        ("plan: plan.yaml\nbgp:\n  advertise: everything\n", "line 3: bgp.advertise: expected one of node-subnet, domain-aggregate"),
        ("plan: plan.yaml\nroutes:\n  mode: fast\n", "line 3: routes.mode: expected one of auto, nexthop, classic"),
        ("plan: plan.yaml\nbgp:\n  holdTime: 2\n", "line 3: bgp.holdTime: expected 0 or 3 to 65535"),
        ("plan: plan.yaml\nsubnetFile: run/subnet.json\n", "line 2: subnetFile: expected an absolute path"),
        ("plan: plan.yaml\nmetricsAddress: 127.0.0.1\n", "line 2: metricsAddress: expected ADDRESS:PORT"),
        ("plan: plan.yaml\nmasquerade: maybe\n", "line 2: masquerade: expected true or false"),
        ("plan: plan.yaml\ndomain: dc9\n", "line 2: domain: the plan has no edge domain 'dc9'; it has dc1"),
        ("plan: other.yaml\n", "line 1: plan: cannot read the plan /etc/te/other.yaml"),
        ("plan: plan.yaml\nnodeAddress: 10.9.9.9\n", "domain: no edge domain's nodeNetworks hold the node address 10.9.9.9"),
        ("plan: plan.yaml\nleaseTTL: 5\n", "line 2: leaseTTL: expected an integer from 10 to 604800"),
        ("plan: plan.yaml\nstore: bogus://x\n", "line 2: store: bad lease store configuration: store scheme 'bogus' is not supported; use one of file, etcd, kubernetes"),
        ("plan: plan.yaml\nstore: /var/lib/terway-edge/leases.db\n", "line 2: store: bad lease store configuration: store URL '/var/lib/terway-edge/leases.db' has no scheme"),
        ("node: x\n", "line 1: plan: missing required field"),
        ("plan: plan.yaml\nroutes: {protocol: 186}\n", "line 2: routes.protocol: 186 belongs to"),
        ("plan: plan.yaml\nbgp: {kernel: {protocol: 207}}\n", "routes.protocol: must differ from the learned routes' protocol 207"),
    ])
    func refusalsNameTheLine(yaml: String, message: String) {
        do {
            _ = try AgentFixture.config(yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func aBadPlanIsReportedWithItsOwnLine() {
        let environment = AgentFixture.environment(files: ["/etc/te/plan.yaml": AgentFixture.plan.replacingOccurrences(of: "      as: 65000", with: "      as: many")])
        #expect {
            try AgentFixture.config("plan: plan.yaml\n", environment: environment)
        } throws: { "\($0)".contains("line 1: plan: the plan /etc/te/plan.yaml is not valid: line ") && "\($0)".contains("gateway.as") }
    }

    @Test func withoutAHostNameOrDefaultRouteTheKeysAreRequired() {
        #expect { try AgentFixture.config("plan: plan.yaml\n", environment: AgentFixture.environment(hostName: nil)) }
            throws: { "\($0)".contains("node: the host name cannot be read; set node") }
        #expect { try AgentFixture.config("plan: plan.yaml\n", environment: AgentFixture.environment(source: nil, source6: nil)) }
            throws: { "\($0)".contains("nodeAddress: there is no default route") }
    }

    @Test func resolvedSettingsListEverySetting() throws {
        let text = try AgentFixture.config("plan: plan.yaml\n").resolvedSettings
        for line in ["domain: dc1", "node: edge-1", "nodeAddress: 172.16.1.20", "leaseTTL: 3600s (renewed every 1200s)",
                     "lease pool: 10.0.0.0/16 in /24 node subnets", "lease pool: fd00:a::/48 in /64 node subnets",
                     "bgp.localAS: 65001", "bgp.peer: 172.16.1.1 AS 65000 families ipv4 password yes gtsm yes",
                     "bgp.peer: fd00:10::1 AS 65000 families ipv6 password yes gtsm yes", "masquerade: on",
                     "bgp.kernel: table 254 protocol 206", "routes.protocol: 207"] {
            #expect(text.contains(line + "\n"), "\(line) in\n\(text)")
        }
    }
}
