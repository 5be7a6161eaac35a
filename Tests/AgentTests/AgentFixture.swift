import Agent
import Foundation
import NetworkCore

/// The one plan of the agent tests (the config tests read it, the lab's agents and its
/// BIRD gateway too): one dual-stack edge domain `dc1`, pods 10.0.0.0/16 and fd00:a::/48 in
/// /24 and /64 node subnets, nodes on 172.16.1.0/24 and fd00:10::/64 (the gateway at .1 and
/// ::1) and on 172.17.0.0/24 and fd00:11::/64 behind it; agent configs over it for a host
/// whose default routes leave from 172.16.1.20 and fd00:10::20.
enum AgentFixture {
    static let plan = """
    name: lab
    vpc:
      cidrs: [192.168.0.0/16]
      vSwitches:
        - name: a
          cidrs: [192.168.0.0/24]
      cloudNodes: 1
      podsPerCloudNode: 10
    services:
      cidrs: [172.21.0.0/24]
      expectedServices: 100
    dataCenters:
      - name: site
        networks: [172.16.1.0/24, "fd00:10::/64", 172.17.0.0/24, "fd00:11::/64"]
        circuit:
          links:
            - cidr: 172.31.0.0/30
              vbr: 172.31.0.1
              dcRouter: 172.31.0.2
    edgeDomains:
      - name: dc1
        dataCenter: site
        podCIDRs: [10.0.0.0/16, "fd00:a::/48"]
        nodeSubnetLength: {ipv4: 24, ipv6: 64}
        nodeNetworks:
          - {cidr: 172.16.1.0/24, gateway: 172.16.1.1}
          - {cidr: "fd00:10::/64", gateway: "fd00:10::1"}
          - {cidr: 172.17.0.0/24, gateway: 172.17.0.1}
          - {cidr: "fd00:11::/64", gateway: "fd00:11::1"}
        edgeNodes: 10
        podsPerEdgeNode: 100
        gateway:
          as: 65000
          nodesAS: 65001
          password: k3y
          gtsm: true

    """

    /// The host as the tests see it: a fixed name, a default route from 172.16.1.20, and
    /// the plan at /plan.yaml.
    static func environment(hostName: String? = "edge-1", source: IPAddress? = IPAddress("172.16.1.20"),
                            source6: IPAddress? = IPAddress("fd00:10::20"),
                            files: [String: String] = ["/etc/te/plan.yaml": plan]) -> AgentConfig.Environment {
        AgentConfig.Environment(
            hostName: { hostName },
            defaultRouteSource: { family in family == .v4 ? source : source6 },
            readFile: { path in
                guard let text = files[path] else { throw CocoaError(.fileNoSuchFile) }
                return text
            })
    }

    static func config(_ yaml: String, environment: AgentConfig.Environment = environment()) throws -> AgentConfig {
        try AgentConfig(yaml: yaml, folder: "/etc/te", environment: environment)
    }
}
