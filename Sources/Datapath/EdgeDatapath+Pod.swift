import Glibc
import Netlink
import NetworkCore

extension EdgeDatapath {
    /// ADD: creates the veth pair (container end named `pod.ifName` directly in the pod's
    /// namespace), sets MTU, MACs, addresses and routes in the pod, and puts the host end on
    /// the bridge (hairpin as the bridge says) and up. Calls `ensureBridge` first. A route
    /// the pod already has (a first attachment's default route) is kept and left out of
    /// `PodInterface.routes`: the first one wins, as in the reference plugins.
    /// On failure, removes whatever it created.
    public func setUp(_ pod: PodInterfaceSpec, on bridge: BridgeSpec) throws(DatapathError) -> PodInterface {
        try validate(pod)
        let namespace = try openNamespace(pod.netnsPath)
        let bridgeLink = try ensureBridge(bridge)
        let hostName = Self.hostInterfaceName(containerID: pod.containerID, ifName: pod.ifName)
        let seed = FNV1a.hash((pod.containerID + "/" + pod.ifName).utf8)
        let hostMAC = MACAddress(locallyAdministeredFrom: seed)
        let containerMAC = MACAddress(locallyAdministeredFrom: seed ^ 0x5a5a_5a5a_5a5a_5a5a)

        // The peer cannot come up in the creating request (ENOTCONN): the pod batch does it.
        let peer = LinkSettings(name: pod.ifName, mtu: pod.mtu, mac: containerMAC, namespaceFD: namespace.fd)
        let host = LinkSettings(name: hostName, mtu: pod.mtu, mac: hostMAC, up: true, masterIndex: bridgeLink.index)
        try netlink { try node.addLink(host, kind: .veth(peer: peer)) }
        let routes: [PodRoute]
        do throws(DatapathError) {
            if bridge.hairpin {
                try netlink { try node.setBridgePortHairpin(hostName, true) }
            }
            routes = try configureContainerSide(pod, in: namespace, hostName: hostName, mac: containerMAC)
        } catch {
            // Deleting the host end removes the pair and everything configured on it.
            try? node.deleteLink(hostName)
            throw error
        }
        return PodInterface(bridgeName: bridge.name, bridgeMAC: bridgeLink.mac, hostName: hostName, hostMAC: hostMAC, containerName: pod.ifName,
                            containerMAC: containerMAC, sandbox: pod.netnsPath, routes: routes)
    }

    /// Inside the pod, on a socket opened there: `arp_notify` on, IPv6 DAD off, the
    /// addresses, the link up (so the gratuitous ARP of `arp_notify` carries them: a reused
    /// address's new MAC reaches the neighbours at once), then the routes. Returns the
    /// routes it added.
    ///
    /// DAD is off on the pod's interface before it comes up, so that its link-local address
    /// is usable at once instead of tentative for a second or more. IPAM owns the pod's
    /// addresses (the global ones carry IFA_F_NODAD too) and the link-local one is derived
    /// from a MAC unique to the attachment; the reference `bridge` turns DAD off as well
    /// when hairpin could echo the pod's own solicitations back to it.
    ///
    /// The bridge enables the host end's port only once the kernel has handled its carrier,
    /// asynchronously, so the ARP sent as the link comes up can meet a port that still drops
    /// frames. Once the port forwards, setting the pod's MAC again (NETDEV_CHANGEADDR) makes
    /// `arp_notify` announce once more; a port that does not forward soon (a bridge running
    /// STP) is left to the neighbours' own probing.
    private func configureContainerSide(_ pod: PodInterfaceSpec, in namespace: NetworkNamespace,
                                        hostName: String, mac: MACAddress) throws(DatapathError) -> [PodRoute] {
        let announce = pod.addresses.contains { $0.family == .v4 }
        let ipv6 = pod.addresses.contains { $0.family == .v6 }
        let socket = try Self.socket(in: namespace) {
            // The slash form: an interface name may hold dots.
            if announce { try Sysctl.write("net/ipv4/conf/\(pod.ifName)/arp_notify", "1") }
            if ipv6 { try Sysctl.write("net/ipv6/conf/\(pod.ifName)/accept_dad", "0") }
        }
        return try netlink {
            let index = try socket.link(named: pod.ifName).index
            let addresses: [NetlinkRequest] = pod.addresses.map { .addAddress($0, index: index, noDAD: $0.family == .v6) }
            try socket.perform(addresses + [.setLinkUp(pod.ifName)])
            let outcomes = try socket.performEach(pod.routes.map {
                .addRoute(KernelRoute(destination: $0.destination, gateway: $0.gateway, outputInterface: index))
            })
            var added: [PodRoute] = []
            for (route, outcome) in zip(pod.routes, outcomes) {
                switch outcome {
                case nil: added.append(route)
                case .some(let error) where error.isExists: continue
                case .some(let error): throw error
                }
            }
            if announce, try portForwards(hostName) {
                try socket.perform([.setLinkAddress(pod.ifName, mac)])
            }
            return added
        }
    }

    /// Whether the host end's bridge port forwards, waiting up to 50 ms for it.
    private func portForwards(_ hostName: String) throws -> Bool {
        for _ in 0..<50 {
            if try node.link(named: hostName).bridgePortState == Link.forwardingState { return true }
            usleep(1000)
        }
        return false
    }

    /// DEL: removes the pod's veth pair by deleting its host end, whose name derives from
    /// the attachment, so the pod's namespace is never opened (it may be gone, and with it
    /// the pair). Idempotent: a missing interface is success.
    public func tearDown(containerID: String, ifName: String) throws(DatapathError) {
        let hostName = Self.hostInterfaceName(containerID: containerID, ifName: ifName)
        do throws(NetlinkError) {
            try node.deleteLink(hostName)
        } catch .notFound {
            return
        } catch {
            throw .netlink(error)
        }
    }

    /// CHECK: verifies that the container end exists in the pod namespace, a veth, up, with
    /// `containerMAC` when given, `pod`'s addresses, and a route for each of `pod.routes`
    /// (destination and gateway, on any interface, in any table: a later plugin may move
    /// it); that the host
    /// end is up on the bridge; and that the bridge holds the gateways. The MTU is not
    /// compared: a later plugin (`tuning`) may change it. Throws `.drift` naming what differs.
    public func check(_ pod: PodInterfaceSpec, on bridge: BridgeSpec, containerMAC: MACAddress? = nil) throws(DatapathError) {
        try validate(pod)
        let namespace = try openNamespace(pod.netnsPath)
        let hostName = Self.hostInterfaceName(containerID: pod.containerID, ifName: pod.ifName)
        let bridgeLink = try existing("bridge \(bridge.name)") { () throws(NetlinkError) in try node.link(named: bridge.name) }
        let hostLink = try existing("host interface \(hostName)") { () throws(NetlinkError) in try node.link(named: hostName) }
        guard hostLink.masterIndex == bridgeLink.index else { throw .drift("\(hostName) is not attached to \(bridge.name)") }
        guard hostLink.isUp else { throw .drift("\(hostName) is down") }
        guard hostLink.hairpin == bridge.hairpin else {
            throw .drift("hairpin is \(bridge.hairpin ? "off" : "on") on \(hostName)")
        }
        let bridgeAddresses = Set(try netlink { try node.listAddresses(index: bridgeLink.index) }.map(\.address))
        for gateway in bridge.gatewayAddresses where !bridgeAddresses.contains(gateway) {
            throw .drift("gateway \(gateway) missing on \(bridge.name)")
        }

        let socket = try Self.socket(in: namespace)
        let podLink = try existing("\(pod.ifName) in \(pod.netnsPath)") { () throws(NetlinkError) in try socket.link(named: pod.ifName) }
        guard podLink.kind == "veth" else { throw .drift("\(pod.ifName) is a \(podLink.kind ?? "plain") link, not a veth") }
        guard podLink.isUp else { throw .drift("\(pod.ifName) is down") }
        if let containerMAC, podLink.mac != containerMAC {
            throw .drift("\(pod.ifName) has MAC \(podLink.mac.map(\.description) ?? "none"), expected \(containerMAC)")
        }
        let addresses = Set(try netlink { try socket.listAddresses(index: podLink.index) }.map(\.address))
        for address in pod.addresses where !addresses.contains(address) {
            throw .drift("address \(address) missing on \(pod.ifName)")
        }
        for family in Set(pod.routes.map(\.destination.family)) {
            // Every table: a later plugin (`sbr`) may move a route into a table of its own.
            let routes = try netlink { try socket.listRoutes(family: family, table: nil) }
            for expected in pod.routes where expected.destination.family == family {
                let present = routes.contains { $0.destination == expected.destination && $0.gateway == expected.gateway }
                if !present {
                    let via = expected.gateway.map { " via \($0)" } ?? ""
                    throw .drift("route \(expected.destination)\(via) missing in \(pod.netnsPath)")
                }
            }
        }
    }

    /// Opens the pod's namespace, turning its errors into the plugin's cases.
    func openNamespace(_ path: String) throws(DatapathError) -> NetworkNamespace {
        do throws(NamespaceError) {
            return try NetworkNamespace(path: path)
        } catch {
            throw DatapathError(error)
        }
    }

    /// The object `lookup` finds; a missing one is drift, other failures are errors.
    private func existing<T>(_ what: String, _ lookup: () throws(NetlinkError) -> T) throws(DatapathError) -> T {
        do throws(NetlinkError) {
            return try lookup()
        } catch .notFound {
            throw .drift("\(what) is missing")
        } catch {
            throw .netlink(error)
        }
    }

    /// Runs netlink work, wrapping its errors (decoding failures count as malformed replies).
    /// Its result is `body`'s, as discardable as the netlink verb's own.
    @discardableResult
    func netlink<T>(_ body: () throws -> T) throws(DatapathError) -> T {
        do {
            return try body()
        } catch let error as NetlinkError {
            throw .netlink(error)
        } catch {
            throw .netlink(.malformedReply(operation: "datapath", reason: "\(error)"))
        }
    }
}
