import NetworkCore
import Plan

extension LabTopology {
    /// The access key the lab's emulator accepts (the lab's own, not a secret).
    public static let accessKey = (id: "LTAI-lab", secret: "lab-secret")

    /// The world `terway-edge cloud emulator` serves for this lab (`examples/cloud-world.yaml`
    /// explains every key): the plan's VPC and vSwitches, its instance type and ENI figures,
    /// every ECS instance in its namespace, the VPC router's namespace (the real datapath),
    /// API and metadata on 100.100.100.200 inside the VPC only.
    public var cloudWorld: String {
        let switches = instances.reduce(into: [(String, String)]()) { list, instance in
            if !list.contains(where: { $0.0 == instance.vSwitch }) { list.append((instance.vSwitch, instance.vSwitchCIDR)) }
        }
        // A vSwitch with an IPv6 block in the plan is dual-stack: every pod address of an ENI
        // there has an IPv6 partner, so the lab's type allows as many IPv6 as IPv4 per ENI.
        let ipv6Blocks = Dictionary(plan.vpc.vSwitches.compactMap { vsw in
            vsw.cidrs.first { $0.prefix.family == .v6 }.map { (vsw.name, "\($0.prefix)") }
        }, uniquingKeysWith: { a, _ in a })
        let zones = switches.indices.map { "cn-hangzhou-\(Character(UnicodeScalar(UInt8(ascii: "h") + UInt8($0 % 19))))" }
        let type = plan.vpc.instanceType?.value ?? "ecs.g6.large"
        let capacity = plan.vpc.eniCapacity?.value ?? ENICapacity.known[type] ?? ENICapacity(enis: 2, addressesPerENI: 6)
        var yaml = """
        # The world of lab \(lab), rendered by `terway-edge lab up` from plan \(plan.name ?? "(unnamed)").
        region: cn-hangzhou
        zones: [\(zones.joined(separator: ", "))]
        vpc:
          id: vpc-\(lab)
          cidrs: [\(plan.vpc.cidrs.map(\.prefix).filter { $0.family == .v4 }.map { "\($0)" }.joined(separator: ", "))]
          namespace: \(vpcNamespace)
        vSwitches:

        """
        for (index, (name, cidr)) in switches.enumerated() {
            yaml += "  - { id: \(name), zone: \(zones[index]), cidr: \(cidr)\(ipv6Blocks[name].map { ", ipv6Cidr: \"\($0)\"" } ?? "") }\n"
        }
        yaml += """
        securityGroups: [sg-\(lab)]
        instanceTypes:
          - { id: \(type), eniQuantity: \(capacity.enis), eniPrivateIpAddressQuantity: \(capacity.addressesPerENI), eniIpv6AddressQuantity: \(ipv6Blocks.isEmpty ? 1 : capacity.addressesPerENI) }
        instances:

        """
        for instance in instances {
            yaml += "  - { id: \(instance.id), type: \(type), vSwitch: \(instance.vSwitch), primaryIP: \(instance.primaryIP), namespace: \(instance.namespace), ramRole: terway-edge }\n"
        }
        yaml += """
        accessKeys:
          - { id: \(Self.accessKey.id), secret: \(Self.accessKey.secret) }
        ramRoles:
          - { name: terway-edge, ttlSeconds: 3600 }
        listen: \(Self.cloudAddress):\(Self.apiPort)
        metadataListen: \(Self.cloudAddress):80
        delays: { attach: 0.2, detach: 0.2, metadata: 0.2 }

        """
        return yaml
    }
}
