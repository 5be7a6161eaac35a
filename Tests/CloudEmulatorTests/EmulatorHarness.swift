import CloudEmulator
import Foundation
import TestSupport

/// An emulator in this process on loopback ports chosen by the kernel, with the test world
/// (or another), stopped by `stop()`.
final class EmulatorHarness: @unchecked Sendable {
    let emulator: CloudEmulator
    let servers: CloudEmulator.Servers
    var apiPort: Int { servers.api.port }
    var metadataPort: Int { servers.metadata.port }
    var apiEndpoint: String { "127.0.0.1:\(apiPort)" }

    init(yaml: String = EmulatorHarness.testWorld(), statePath: String? = nil) async throws {
        emulator = try CloudEmulator(world: try EmulatorWorld.load(yaml: yaml), statePath: statePath)
        servers = try await emulator.serve(api: "127.0.0.1:0", metadata: "127.0.0.1:0")
    }

    func stop() async { await servers.close() }

    /// Two vSwitches of the seed's plan and a tiny one (4 usable addresses), a large type
    /// for the 10-address life cycle, ecs.g6.large for the quota tests, an instance that
    /// is still starting, a key whose RAM policy denies one action.
    static func testWorld(vpcNamespace: String? = nil, namespaces: [String: String] = [:], extra: String = "",
                          delays: String = "{ attach: 0.2, detach: 0.2, metadata: 0.2 }") -> String {
        func ns(_ id: String) -> String { namespaces[id].map { ", namespace: \($0)" } ?? "" }
        return """
        region: cn-hangzhou
        zones: [cn-hangzhou-h, cn-hangzhou-i]
        vpc: { id: vpc-lab, cidrs: [192.168.0.0/16]\(vpcNamespace.map { ", namespace: \($0)" } ?? "") }
        vSwitches:
          - { id: vsw-zone-h, zone: cn-hangzhou-h, cidr: 192.168.0.0/20, ipv6Cidr: "2408:4000:1::/64" }
          - { id: vsw-zone-i, zone: cn-hangzhou-i, cidr: 192.168.16.0/20 }
          - { id: vsw-tiny, zone: cn-hangzhou-h, cidr: 192.168.32.0/29 }
        securityGroups: [sg-lab]
        instanceTypes:
          - { id: ecs.g6.large, eniQuantity: 2, eniPrivateIpAddressQuantity: 6, eniIpv6AddressQuantity: 1 }
          - { id: ecs.g6.4xlarge, eniQuantity: 8, eniPrivateIpAddressQuantity: 20, eniIpv6AddressQuantity: 1 }
        instances:
          - { id: i-big-1, type: ecs.g6.4xlarge, vSwitch: vsw-zone-h, primaryIP: 192.168.0.10\(ns("i-big-1")) }
          - { id: i-cloud-1, type: ecs.g6.large, vSwitch: vsw-zone-h, primaryIP: 192.168.0.11, ramRole: terway-edge\(ns("i-cloud-1")) }
          - { id: i-starting, type: ecs.g6.large, vSwitch: vsw-zone-h, primaryIP: 192.168.0.12, status: Starting }
        accessKeys:
          - { id: LTAI-lab, secret: lab-secret }
          - { id: LTAI-readonly, secret: ro-secret, deny: [AssignPrivateIpAddresses, DescribeVSwitches] }
        ramRoles:
          - { name: terway-edge, ttlSeconds: 3600 }
        metadataDefaultInstance: i-cloud-1
        delays: \(delays)
        \(extra)
        """
    }
}
