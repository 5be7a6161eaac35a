import Foundation
import NetworkCore
import TestSupport

/// A VPC built in `te-` namespaces the way the cloud emulator's datapath builds it
/// (`EmulatorDatapath`): the VPC namespace is the router; each ENI is a veth pair whose
/// instance end carries the ENI's MAC and whose VPC end holds the vSwitch gateway, answers
/// ARP for the VPC (proxy ARP) and routes each address of the ENI to it, with the address's
/// neighbour entry pointing at the ENI's MAC (the VPC knows where its addresses live).
/// No encapsulation anywhere.
final class CloudVPC: @unchecked Sendable {
    let vpc: TestNamespace
    static let gateway = "192.168.0.253"
    static let gatewayV6 = "fd00:1::1"
    private var serial = 0

    init() throws {
        vpc = try TestNamespace("vpc")
        for key in ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"] {
            try vpc.exec(["sysctl", "-qw", key])
        }
    }

    /// An instance (a node or a VM) with its primary ENI (`eth0`, addressed, default route via
    /// the gateway) and `secondary` more ENIs (`eth1`...: down and unaddressed, as hot-plugged).
    /// Returns the namespace and the MACs of its ENIs.
    func instance(_ label: String, primary: String, primaryV6: String? = nil, secondary: Int = 0) throws -> (TestNamespace, [MACAddress]) {
        let namespace = try TestNamespace(label)
        serial += 1
        instances[namespace.name] = serial
        var macs: [MACAddress] = []
        for index in 0...secondary {
            let mac = MACAddress("00:16:3e:00:\(String(format: "%02x", serial)):\(String(format: "%02x", index))")!
            macs.append(mac)
            let outside = vpcLink(serial, index)
            try vpc.exec(["ip", "link", "add", outside, "type", "veth", "peer", "name", "eth\(index)", "netns", namespace.name])
            try namespace.exec(["ip", "link", "set", "eth\(index)", "address", mac.description])
            try vpc.exec(["ip", "addr", "add", "\(Self.gateway)/32", "dev", outside])
            try vpc.exec(["ip", "addr", "add", "\(Self.gatewayV6)/128", "dev", outside, "nodad"])
            try vpc.exec(["sysctl", "-qw", "net.ipv4.conf.\(outside).proxy_arp=1", "net.ipv4.neigh.\(outside).proxy_delay=0"])
            try vpc.exec(["ip", "link", "set", outside, "up"])
        }
        try namespace.exec(["ip", "addr", "add", "\(primary)/24", "dev", "eth0"])
        try namespace.exec(["ip", "link", "set", "eth0", "up"])
        try namespace.exec(["ip", "route", "add", "default", "via", Self.gateway, "dev", "eth0"])
        try route(primary, to: namespace, eni: 0, mac: macs[0])
        if let primaryV6 {
            try namespace.exec(["ip", "addr", "add", "\(primaryV6)/128", "dev", "eth0", "nodad"])
            try namespace.exec(["ip", "-6", "route", "add", "default", "via", Self.gatewayV6, "dev", "eth0", "onlink"])
            try route(primaryV6, to: namespace, eni: 0, mac: macs[0])
        }
        return (namespace, macs)
    }

    private var instances: [String: Int] = [:]

    private func vpcLink(_ instance: Int, _ index: Int) -> String { "i\(instance)-e\(index)" }

    /// What AssignPrivateIpAddresses does to the VPC's routing: the address goes to the ENI.
    func route(_ address: String, to namespace: TestNamespace, eni index: Int, mac: MACAddress) throws {
        let link = vpcLink(instances[namespace.name] ?? serial, index)
        let host = address.contains(":") ? "\(address)/128" : "\(address)/32"
        try vpc.exec(["ip", "route", "replace", host, "dev", link])
        try vpc.exec(["ip", "neigh", "replace", address, "lladdr", mac.description, "dev", link, "nud", "permanent"])
    }
}
