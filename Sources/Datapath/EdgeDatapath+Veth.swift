import Glibc
import Netlink
import NetworkCore

/// The veth pair of a pod, shared by both modes: the edge mode puts the host end on the
/// bridge, the cloud mode routes to it.
struct VethPair {
    var hostName: String
    var hostMAC: MACAddress
    var containerMAC: MACAddress
}

extension EdgeDatapath {
    /// Creates the pair: the container end named `pod.ifName` directly in the pod's namespace,
    /// the host end (named by `hostInterfaceName`, on `masterIndex` when given) up. Names and
    /// MACs derive from container id and interface, so they are stable across retries.
    func addVethPair(_ pod: PodInterfaceSpec, in namespace: NetworkNamespace, masterIndex: Int32?) throws(DatapathError) -> VethPair {
        let seed = FNV1a.hash((pod.containerID + "/" + pod.ifName).utf8)
        let veth = VethPair(hostName: Self.hostInterfaceName(containerID: pod.containerID, ifName: pod.ifName),
                            hostMAC: MACAddress(locallyAdministeredFrom: seed),
                            containerMAC: MACAddress(locallyAdministeredFrom: seed ^ 0x5a5a_5a5a_5a5a_5a5a))
        // The peer cannot come up in the creating request (ENOTCONN): the pod batch does it.
        let peer = LinkSettings(name: pod.ifName, mtu: pod.mtu, mac: veth.containerMAC, namespaceFD: namespace.fd)
        let host = LinkSettings(name: veth.hostName, mtu: pod.mtu, mac: veth.hostMAC, up: true, masterIndex: masterIndex)
        do throws(NetlinkError) {
            try node.addLink(host, kind: .veth(peer: peer))
        } catch where error.isExists {
            // EEXIST names neither end: the host end (an ADD repeated without DEL), or an
            // interface named CNI_IFNAME that the pod has already (which ADD must refuse).
            do throws(NetlinkError) {
                _ = try node.link(named: veth.hostName)
            } catch .notFound {
                throw .containerInterfaceExists(ifName: pod.ifName, netnsPath: pod.netnsPath)
            } catch {
                throw .netlink(error)
            }
            throw .attachmentExists(hostName: veth.hostName)
        } catch {
            throw .netlink(error)
        }
        return veth
    }

    /// Inside the pod, on a socket opened there: `arp_notify` on, IPv6 DAD off, the
    /// addresses, the link up (so the gratuitous ARP of `arp_notify` carries them: a reused
    /// address's new MAC reaches the neighbours at once), then the routes. Returns the
    /// routes it added.
    ///
    /// DAD is off on the pod's interface before it comes up, so that its link-local address
    /// is usable at once instead of tentative for a second or more. The pod's addresses are
    /// owned by IPAM or the agent (the global ones carry IFA_F_NODAD too) and the link-local
    /// one is derived from a MAC unique to the attachment; the reference `bridge` turns DAD
    /// off as well when hairpin could echo the pod's own solicitations back to it.
    ///
    /// With `gatewayOnHost` (cloud mode), each route's gateway is the host end itself: the
    /// routes are on-link and each gateway gets a permanent neighbour entry to the host end's
    /// MAC, so the pod never resolves it.
    ///
    /// On a bridge, the host end's port forwards only once the kernel has handled its
    /// carrier, asynchronously, so the ARP sent as the link comes up can meet a port that
    /// still drops frames. Once the port forwards, setting the pod's MAC again
    /// (NETDEV_CHANGEADDR) makes `arp_notify` announce once more; a port that does not
    /// forward soon (a bridge running STP) is left to the neighbours' own probing.
    func configureContainerSide(_ pod: PodInterfaceSpec, in namespace: NetworkNamespace, veth: VethPair,
                                bridged: Bool, gatewayOnHost: Bool = false) throws(DatapathError) -> [PodRoute] {
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
            let gateways = gatewayOnHost ? Set(pod.routes.compactMap(\.gateway)) : []
            let neighbours: [NetlinkRequest] = gateways.sorted { $0.description < $1.description }.map {
                .replaceNeighbour(Neighbour(address: $0, mac: veth.hostMAC, index: index))
            }
            try socket.perform(addresses + [.setLinkUp(pod.ifName)] + neighbours)
            let outcomes = try socket.performEach(pod.routes.map {
                .addRoute(KernelRoute(destination: $0.destination, gateway: $0.gateway, outputInterface: index, onLink: gatewayOnHost))
            })
            var added: [PodRoute] = []
            for (route, outcome) in zip(pod.routes, outcomes) {
                switch outcome {
                case nil: added.append(route)
                case .some(let error) where error.isExists: continue
                case .some(let error): throw error
                }
            }
            if announce, bridged, try portForwards(veth.hostName) {
                try socket.perform([.setLinkAddress(pod.ifName, veth.containerMAC)])
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

    /// CHECK of the container end: in the pod namespace, a veth, up, with `containerMAC`
    /// when given, `pod`'s addresses, and a route for each of `pod.routes` (destination and
    /// gateway, on any interface, in any table: a later plugin may move it). Returns the
    /// socket in the pod and the link, for checks of the mode's own.
    @discardableResult
    func checkContainerSide(_ pod: PodInterfaceSpec, in namespace: NetworkNamespace,
                            containerMAC: MACAddress?) throws(DatapathError) -> (NetlinkSocket, Link) {
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
        return (socket, podLink)
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
}
