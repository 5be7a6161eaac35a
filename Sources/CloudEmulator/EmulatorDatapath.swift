import Netlink
import NetworkCore

/// The real datapath of the emulated VPC. The VPC namespace is the router: every ENI
/// attached to an instance is a veth pair, the instance's end (`ethN`, the ENI's MAC) in the
/// instance's namespace, the other end in the VPC namespace, which holds the vSwitch
/// gateway address on it (and the IPv6 gateway, on a vSwitch with an IPv6 block), answers
/// ARP and neighbour solicitations for the VPC (proxy ARP and proxy NDP, as the VPC's
/// vSwitch does), and routes every private IPv4 and IPv6 address of the ENI to it. No
/// encapsulation. Called by the `CloudEmulator` actor only.
final class EmulatorDatapath: @unchecked Sendable {
    private let vpc: NetworkNamespace
    private let vpcLinks: NetlinkSocket
    private let instances: [String: NetworkNamespace]
    /// The IPv6 addresses routed, and the VPC link of each: the kernel has no proxy NDP for
    /// a whole block, so every other link holds a proxy entry per address.
    private var ipv6Links: [IPAddress: String] = [:]

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
        try vpc.writeSysctl("net.ipv6.conf.all.forwarding", "1")
        try vpc.writeSysctl("net.ipv6.conf.all.proxy_ndp", "1")
        // The gateway is the VPC's own address on every link: no duplicate detection.
        try vpc.writeSysctl("net.ipv6.conf.all.accept_dad", "0")
        try vpc.writeSysctl("net.ipv6.conf.default.accept_dad", "0")
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
    func plug(instanceId: String, deviceIndex: Int, mac: String, addresses: [String], vSwitchCIDR: String, vSwitchIPv6CIDR: String?) throws {
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
            if let ipv6Gateway = vSwitchIPv6CIDR.flatMap(EmulatorEngine.ipv6Gateway(of:)) {
                try vpcLinks.addAddress(InterfaceAddress(address: ipv6Gateway, prefixLength: 128)!, index: link.index)
            }
            // The VPC answers for its addresses behind other links.
            for (address, owner) in ipv6Links where owner != name {
                try vpcLinks.replaceNeighbour(.proxy(address, index: link.index))
            }
            try vpc.writeSysctl("net.ipv4.conf.\(name).proxy_arp", "1")
            // The kernel delays proxy answers by up to 0.8 s by default; the VPC does not.
            try vpc.writeSysctl("net.ipv4.neigh.\(name).proxy_delay", "0")
            try vpc.writeSysctl("net.ipv6.neigh.\(name).proxy_delay", "0")
            if deviceIndex == 0, let primary = addresses.first.flatMap(IPAddress.init) {
                let socket = try instance.openNetlinkSocket()
                try socket.setLinkUp("eth0")
                let eth0 = try socket.link(named: "eth0")
                try socket.addAddress(InterfaceAddress(address: primary, prefixLength: block.length)!, index: eth0.index)
                try socket.replaceRoute(KernelRoute(destination: IPPrefix("0.0.0.0/0")!, gateway: gateway, outputInterface: eth0.index))
            }
        }
        for address in addresses {
            try route(address, instanceId: instanceId, deviceIndex: deviceIndex, mac: macAddress, vSwitchIPv6CIDR: vSwitchIPv6CIDR)
        }
    }

    /// Deleting the VPC end removes the pair and every route and proxy entry on it; the
    /// other links stop answering for its IPv6 addresses.
    func unplug(instanceId: String, deviceIndex: Int) throws {
        guard instances[instanceId] != nil else { return }
        let name = Self.vpcLinkName(instanceId: instanceId, deviceIndex: deviceIndex)
        do {
            try vpcLinks.deleteLink(name)
        } catch {
            if !error.isNotFound { throw error }
        }
        for (address, owner) in ipv6Links where owner == name { try unproxy(address) }
    }

    /// Routes `address` to the ENI, and, as the VPC knows where each of its addresses lives,
    /// resolves it to the ENI's MAC without asking: the address may be a pod's behind the
    /// instance, which the instance does not answer ARP for.
    /// An IPv6 address is also answered for (proxy NDP) on every other link, as proxy ARP
    /// does for IPv4: a node's on-link route to its vSwitch's block asks for it there. One of
    /// the primary ENI is configured inside the instance, as the image's DHCPv6 would.
    func route(_ address: String, instanceId: String, deviceIndex: Int, mac: MACAddress, vSwitchIPv6CIDR: String?) throws {
        guard let instance = instances[instanceId], let ip = IPAddress(address) else { return }
        let name = Self.vpcLinkName(instanceId: instanceId, deviceIndex: deviceIndex)
        let link = try vpcLinks.link(named: name)
        try vpcLinks.replaceRoute(KernelRoute(destination: IPPrefix(network: ip, length: ip.family.bitWidth)!, outputInterface: link.index))
        try vpcLinks.replaceNeighbour(Neighbour(address: ip, mac: mac, index: link.index))
        guard ip.family == .v6 else { return }
        if deviceIndex == 0, let cidr = vSwitchIPv6CIDR, let block = IPPrefix(cidr), let gateway = EmulatorEngine.ipv6Gateway(of: cidr) {
            let socket = try instance.openNetlinkSocket()
            let eth0 = try socket.link(named: "eth0")
            do {
                try socket.addAddress(InterfaceAddress(address: ip, prefixLength: block.length)!, index: eth0.index)
            } catch {
                if !error.isExists { throw error }
            }
            try socket.replaceRoute(KernelRoute(destination: IPPrefix("::/0")!, gateway: gateway, outputInterface: eth0.index))
        }
        guard ipv6Links[ip] != name else { return }
        if ipv6Links[ip] != nil { try unproxy(ip) }
        ipv6Links[ip] = name
        for other in try vpcLinks.listLinks() where other.name != name && other.name != "lo" {
            try vpcLinks.replaceNeighbour(.proxy(ip, index: other.index))
        }
    }

    func unroute(_ address: String) throws {
        guard let ip = IPAddress(address) else { return }
        do {
            try vpcLinks.deleteRoute(KernelRoute(destination: IPPrefix(network: ip, length: ip.family.bitWidth)!))
        } catch {
            if !error.isNotFound { throw error }
        }
        if ip.family == .v6 { try unproxy(ip) }
    }

    /// Its proxy entries gone from every link.
    private func unproxy(_ address: IPAddress) throws {
        ipv6Links[address] = nil
        for link in try vpcLinks.listLinks() where link.name != "lo" {
            do {
                try vpcLinks.deleteNeighbour(.proxy(address, index: link.index))
            } catch {
                if !error.isNotFound { throw error }
            }
        }
    }
}
