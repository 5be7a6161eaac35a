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
        let veth = try addVethPair(pod, in: namespace, masterIndex: bridgeLink.index)
        let routes: [PodRoute]
        do throws(DatapathError) {
            if bridge.hairpin {
                try netlink { try node.setBridgePortHairpin(veth.hostName, true) }
            }
            routes = try configureContainerSide(pod, in: namespace, veth: veth, bridged: true)
        } catch {
            // Deleting the host end removes the pair and everything configured on it.
            try? node.deleteLink(veth.hostName)
            throw error
        }
        return PodInterface(bridgeName: bridge.name, bridgeMAC: bridgeLink.mac, hostName: veth.hostName, hostMAC: veth.hostMAC,
                            containerName: pod.ifName, containerMAC: veth.containerMAC, sandbox: pod.netnsPath, routes: routes)
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

        try checkContainerSide(pod, in: namespace, containerMAC: containerMAC)
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
    func existing<T>(_ what: String, _ lookup: () throws(NetlinkError) -> T) throws(DatapathError) -> T {
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
