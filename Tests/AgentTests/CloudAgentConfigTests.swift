import Agent
import Testing

@Suite struct CloudAgentConfigTests {
    let environment = AgentFixture.environment()

    @Test func defaultsOfTheCloudRole() throws {
        let config = try CloudAgentConfig(yaml: "role: cloud\ncloud: {}\n", environment: environment)
        #expect(config.node == "edge-1")
        #expect(config.addressSocket == "/run/terway-edge/ip.sock" && config.ledger == "/var/lib/terway-edge/cloud")
        #expect(config.cloud.credentials == .ramRole(nil) && config.cloud.signature == .v3)
        #expect(config.cloud.metadataEndpoint.description.contains("100.100.100.200"))
        #expect(config.cloud.pool == CloudAgentConfig.Pool(minIdle: 2, maxIdle: 10, idleReclaimAfter: .seconds(300)))
        #expect(config.cloud.reconcileInterval == .seconds(60) && config.cloud.maxENIs == nil && config.cloud.vSwitches.isEmpty)
    }

    @Test func everyCloudKey() throws {
        let config = try CloudAgentConfig(yaml: """
        role: cloud
        node: cloud-7
        cloud:
          endpoint: https://ecs-vpc.cn-hangzhou.aliyuncs.com
          vpcEndpoint: vpc-vpc.cn-hangzhou.aliyuncs.com
          metadataEndpoint: http://127.0.0.1:8461
          regionId: cn-hangzhou
          credentials: { file: /etc/te/cloud-credentials }
          signature: rpc
          vSwitches: [vsw-a, vsw-b]
          securityGroups: [sg-1]
          pool: { minIdle: 4, maxIdle: 12, idleReclaimAfter: 30 }
          maxENIs: 3
          apiRates: { AssignPrivateIpAddresses: 600, CreateNetworkInterface: 60 }
          reconcileInterval: 20
        """, environment: environment)
        #expect(config.node == "cloud-7")
        #expect(config.cloud.endpoint?.host == "ecs-vpc.cn-hangzhou.aliyuncs.com" && config.cloud.endpoint?.tls == true)
        #expect(config.cloud.vpcEndpoint?.port == 443 && config.cloud.metadataEndpoint.port == 8461)
        #expect(config.cloud.credentials == .file("/etc/te/cloud-credentials") && config.cloud.signature == .rpc)
        #expect(config.cloud.vSwitches == ["vsw-a", "vsw-b"] && config.cloud.securityGroups == ["sg-1"])
        #expect(config.cloud.pool == CloudAgentConfig.Pool(minIdle: 4, maxIdle: 12, idleReclaimAfter: .seconds(30)))
        #expect(config.cloud.maxENIs == 3 && config.cloud.reconcileInterval == .seconds(20))
        #expect(config.cloud.apiRates == ["AssignPrivateIpAddresses": 600, "CreateNetworkInterface": 60])
        #expect(config.resolvedSettings.contains("cloud.pool: minIdle 4 maxIdle 12"))
    }

    @Test(arguments: [
        ("role: cloud\ncloud: { signature: v2 }\n", "line 2", "expected v3 or rpc"),
        ("role: cloud\ncloud: { pool: { minIdle: 5, maxIdle: 2 } }\n", "cloud.pool", "must not be below minIdle"),
        ("role: cloud\ncloud: { credentials: { file: /a, ramRole: r } }\n", "cloud.credentials", "exactly one of"),
        ("role: cloud\ncloud: { vSwitch: [a] }\n", "cloud", "vSwitch"),
        ("role: cloud\nplan: plan.yaml\ncloud: {}\n", "plan", "unknown field"),
    ])
    func refusalsNameTheField(_ yaml: String, _ field: String, _ reason: String) {
        #expect {
            try CloudAgentConfig(yaml: yaml, environment: environment)
        } throws: { error in
            "\(error)".contains(field) && "\(error)".contains(reason)
        }
    }

    @Test func theRoleKeyPicksTheConfiguration() throws {
        #expect(try CloudAgentConfig.role(ofYAML: "plan: p.yaml\n") == "edge")
        #expect(try CloudAgentConfig.role(ofYAML: "role: cloud\ncloud: {}\n") == "cloud")
        #expect(throws: (any Error).self) { try CloudAgentConfig.role(ofYAML: "role: gateway\n") }
    }
}
