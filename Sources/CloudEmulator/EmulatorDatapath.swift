import Netlink
import NetworkCore

/// The real datapath of the emulated VPC. The VPC namespace is the router: every ENI
/// attached to an instance is a veth pair, the instance's end (`ethN`, the ENI's MAC) in the
/// instance's namespace, the other end in the VPC namespace, which holds the vSwitch
/// gateway address on it, answers ARP for the VPC (proxy ARP, as the VPC's vSwitch does),
/// and routes every private IPv4 of the ENI to it. No encapsulation. IPv6 addresses are
/// recorded but not routed.
final class EmulatorDatapath: @unchecked Sendable {
    private let vpc: NetworkNamespace
    private let vpcLinks: NetlinkSocket
    private let instances: [String: NetworkNamespace]

    init(vpcNamespace: String, instances: [EmulatorWorld.Instance]) throws {
        vpc = try NetworkNamespace(path: Self.path(vpcNamespace))
        vpcLinks = try vpc.openNetlinkSocket()
        var opened: [String: NetworkNamespace] = [:]
        for instance in instances {
            if let name = instance.namespace { opened[instance.id] = try NetworkNamespace(path: Self.path(name)) }
        }
        self.instances = opened
        try vpc.writeSysctl("net.ipv4.ip_forward", "1")
        try vpc.writeSysctl("net.ipv4.conf.all.rp_filter", "0")
        try vpc.writeSysctl("net.ipv4.conf.default.rp_filter", "0")
    }

    static func path(_ namespace: String) -> String {
        namespace.hasPrefix("/") ? namespace : "/var/run/netns/\(namespace)"
    }

    /// The VPC-side name of an instance's device: stable and within IFNAMSIZ.
    static func vpcLinkName(instanceId: String, deviceIndex: Int) -> String {
        let hex = String(UInt32(truncatingIfNeeded: FNV1a.hash(instanceId.utf8)), radix: 16)
        return "v" + String(repeating: "0", count: 8 - hex.count) + hex + "-\(deviceIndex)"
    }

    func hasInstance(_ id: String) -> Bool { instances[id] != nil }

    /// Plugs an attached ENI (idempotent: an existing pair is kept) and routes its
    /// addresses. The primary ENI (index 0) is also configured inside the instance, as the
    /// image's DHCP would: address, link up, default route through the vSwitch gateway;
    /// a secondary one is left down and unaddressed, as a hot-plugged NIC appears.
    func plug(instanceId: String, deviceIndex: Int, mac: String, addresses: [String], vSwitchCIDR: String) throws {
        guard let instance = instances[instanceId] else { return }
        let name = Self.vpcLinkName(instanceId: instanceId, deviceIndex: deviceIndex)
        guard let block = IPPrefix(vSwitchCIDR), let gateway = EmulatorEngine.gateway(of: vSwitchCIDR),
              let macAddress = MACAddress(mac) else { throw EmulatorConfigError("datapath: bad vSwitch \(vSwitchCIDR) or MAC \(mac)") }
        let existing: Link? = try? vpcLinks.link(named: name)
        if existing == nil {
            try vpcLinks.addLink(LinkSettings(name: name, up: true),
                                 kind: .veth(peer: LinkSettings(name: "eth\(deviceIndex)", mac: macAddress, namespaceFD: instance.fd)))
            let link = try vpcLinks.link(named: name)
            try vpcLinks.addAddress(InterfaceAddress(address: gateway, prefixLength: 32)!, index: link.index)
            try vpc.writeSysctl("net.ipv4.conf.\(name).proxy_arp", "1")
            // The kernel delays proxy answers by up to 0.8 s by default; the VPC does not.
            try vpc.writeSysctl("net.ipv4.neigh.\(name).proxy_delay", "0")
            if deviceIndex == 0, let primary = addresses.first.flatMap(IPAddress.init) {
                let socket = try instance.openNetlinkSocket()
                try socket.setLinkUp("eth0")
                let eth0 = try socket.link(named: "eth0")
                try socket.addAddress(InterfaceAddress(address: primary, prefixLength: block.length)!, index: eth0.index)
                try socket.replaceRoute(KernelRoute(destination: IPPrefix("0.0.0.0/0")!, gateway: gateway, outputInterface: eth0.index))
            }
        }
        for address in addresses { try route(address, instanceId: instanceId, deviceIndex: deviceIndex, mac: macAddress) }
    }

    /// Deleting the VPC end removes the pair and every route through it.
    func unplug(instanceId: String, deviceIndex: Int) throws {
        guard instances[instanceId] != nil else { return }
        do {
            try vpcLinks.deleteLink(Self.vpcLinkName(instanceId: instanceId, deviceIndex: deviceIndex))
        } catch {
            if !error.isNotFound { throw error }
        }
    }

    /// Routes `address` to the ENI, and, as the VPC knows where each of its addresses lives,
    /// resolves it to the ENI's MAC without asking: the address may be a pod's behind the
    /// instance, which the instance does not answer ARP for.
    func route(_ address: String, instanceId: String, deviceIndex: Int, mac: MACAddress) throws {
        guard instances[instanceId] != nil, let ip = IPAddress(address), ip.family == .v4 else { return }
        let link = try vpcLinks.link(named: Self.vpcLinkName(instanceId: instanceId, deviceIndex: deviceIndex))
        try vpcLinks.replaceRoute(KernelRoute(destination: IPPrefix(network: ip, length: 32)!, outputInterface: link.index))
        try vpcLinks.replaceNeighbour(Neighbour(address: ip, mac: mac, index: link.index))
    }

    func unroute(_ address: String) throws {
        guard let ip = IPAddress(address), ip.family == .v4 else { return }
        do {
            try vpcLinks.deleteRoute(KernelRoute(destination: IPPrefix(network: ip, length: 32)!))
        } catch {
            if !error.isNotFound { throw error }
        }
    }
}
