import Glibc
import Netlink
import NetworkCore

extension EdgeDatapath {
    /// ADD: creates the veth pair (container end named `pod.ifName` directly in the pod's
    /// namespace), sets MTU, MACs, addresses and routes in the pod, and puts the host end on
    /// the bridge (hairpin as the bridge says) and up. Calls `ensureBridge` first.
    /// On failure, removes whatever it created.
    public func setUp(_ pod: PodInterfaceSpec, on bridge: BridgeSpec) throws(DatapathError) -> PodInterface {
        try validate(pod)
        let namespace = try openNamespace(pod.netnsPath)
        let bridgeIndex = try ensureBridge(bridge)
        let hostName = Self.hostInterfaceName(containerID: pod.containerID, ifName: pod.ifName)
        let seed = FNV1a.hash((pod.containerID + "/" + pod.ifName).utf8)
        let hostMAC = MACAddress(locallyAdministeredFrom: seed)
        let containerMAC = MACAddress(locallyAdministeredFrom: seed ^ 0x5a5a_5a5a_5a5a_5a5a)

        // The peer cannot come up in the creating request (ENOTCONN): the pod batch does it.
        let peer = LinkSettings(name: pod.ifName, mtu: pod.mtu, mac: containerMAC, namespaceFD: namespace.fd)
        let host = LinkSettings(name: hostName, mtu: pod.mtu, mac: hostMAC, up: true, masterIndex: bridgeIndex)
        try netlink { try node.addLink(host, kind: .veth(peer: peer)) }
        do throws(DatapathError) {
            if bridge.hairpin {
                try netlink { try node.setBridgePortHairpin(hostName, true) }
            }
            try configureContainerSide(pod, in: namespace)
        } catch {
            // Deleting the host end removes the pair and everything configured on it.
            try? node.deleteLink(hostName)
            throw error
        }
        return PodInterface(hostName: hostName, hostMAC: hostMAC, containerName: pod.ifName,
                            containerMAC: containerMAC, sandbox: pod.netnsPath)
    }

    /// Link up, addresses and routes inside the pod, in one batch on a socket opened in its namespace.
    private func configureContainerSide(_ pod: PodInterfaceSpec, in namespace: NetworkNamespace) throws(DatapathError) {
        let socket = try Self.socket(in: namespace)
        try netlink {
            let index = try socket.link(named: pod.ifName).index
            let addresses: [NetlinkRequest] = pod.addresses.map { .addAddress($0, index: index, noDAD: $0.family == .v6) }
            let routes: [NetlinkRequest] = pod.routes.map {
                .addRoute(KernelRoute(destination: $0.destination, gateway: $0.gateway, outputInterface: index))
            }
            try socket.perform([.setLinkUp(pod.ifName)] + addresses + routes)
        }
    }

    /// DEL: removes the pod's veth pair by deleting its host end. Idempotent: a missing
    /// namespace (or nil path) or a missing interface is success.
    public func tearDown(containerID: String, ifName: String, netnsPath: String?) throws(DatapathError) {
        if let netnsPath, !netnsPath.isEmpty {
            do throws(DatapathError) {
                _ = try openNamespace(netnsPath)
            } catch .namespaceMissing {
                // Gone with its pod: the kernel removed the pair with it.
            }
        }
        let hostName = Self.hostInterfaceName(containerID: containerID, ifName: ifName)
        do throws(NetlinkError) {
            try node.deleteLink(hostName)
        } catch .notFound {
            return
        } catch {
            throw .netlink(error)
        }
    }

    /// CHECK: verifies that the container end exists in the pod namespace, up, with the
    /// expected addresses and routes, and that the host end is up on the bridge.
    /// Throws `.drift` naming what differs.
    public func check(_ pod: PodInterfaceSpec, on bridge: BridgeSpec) throws(DatapathError) {
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
        guard podLink.mtu == pod.mtu else { throw .drift("\(pod.ifName) has MTU \(podLink.mtu), expected \(pod.mtu)") }
        let addresses = Set(try netlink { try socket.listAddresses(index: podLink.index) }.map(\.address))
        for address in pod.addresses where !addresses.contains(address) {
            throw .drift("address \(address) missing on \(pod.ifName)")
        }
        for family in Set(pod.routes.map(\.destination.family)) {
            let routes = try netlink { try socket.listRoutes(family: family) }
            for expected in pod.routes where expected.destination.family == family {
                let present = routes.contains {
                    $0.destination == expected.destination && $0.gateway == expected.gateway && $0.outputInterface == podLink.index
                }
                if !present {
                    let via = expected.gateway.map { " via \($0)" } ?? ""
                    throw .drift("route \(expected.destination)\(via) dev \(pod.ifName) missing")
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
