import Glibc
import Netlink
import NetworkCore

extension EdgeDatapath {
    /// ADD in cloud mode: a veth pair with the pod's addresses (host routes, /32 and /128)
    /// and its routes via a link-local gateway answered by the host end (on-link, a permanent
    /// neighbour entry); on the host, a route to each address on the host end, the pod's
    /// rules, and the ENI table's routes (the vSwitch CIDR on the ENI, the default route via
    /// its gateway; the ENI found by MAC, brought up if down). Rules and the ENI table are ensured idempotently: the agent
    /// installs and repairs the same. On failure, removes the pair and the pod's rules.
    public func setUpCloudPod(_ pod: PodInterfaceSpec, routing: ENIRouting) throws(DatapathError) -> PodInterface {
        try validate(pod)
        let namespace = try openNamespace(pod.netnsPath)
        try enableForwarding(ipv6: pod.addresses.contains { $0.family == .v6 })
        try ensureENITable(routing)
        let veth = try addVethPair(pod, in: namespace, masterIndex: nil)
        do throws(DatapathError) {
            let routes = try configureContainerSide(pod, in: namespace, veth: veth, bridged: false, gatewayOnHost: true)
            try netlink {
                let hostIndex = try node.link(named: veth.hostName).index
                try node.perform(pod.addresses.map { .replaceRoute(Self.hostRoute(to: $0.address, via: hostIndex)) }
                    + routing.rules.map { .addRule($0).tolerating(EEXIST) })
            }
            return PodInterface(bridgeName: nil, bridgeMAC: nil, hostName: veth.hostName, hostMAC: veth.hostMAC,
                                containerName: pod.ifName, containerMAC: veth.containerMAC, sandbox: pod.netnsPath, routes: routes)
        } catch {
            try? node.deleteLink(veth.hostName)
            _ = try? node.performEach(routing.rules.map { .deleteRule($0) })
            throw error
        }
    }

    /// The ENI's link up and its table's default routes in place.
    func ensureENITable(_ routing: ENIRouting) throws(DatapathError) {
        let links = try dump { try node.listLinks() }
        guard let eni = links.first(where: { $0.mac == routing.eniMAC }) else {
            throw .linkMissing("no link has the ENI's MAC \(routing.eniMAC)")
        }
        var changes: [NetlinkRequest] = eni.isUp ? [] : [.setLinkUp(eni.name)]
        changes += routing.tableRoutes(eniIndex: eni.index).map { .replaceRoute($0) }
        try netlink { try node.perform(changes) }
    }

    static func hostRoute(to address: IPAddress, via index: Int32) -> KernelRoute {
        KernelRoute(destination: IPPrefix(network: address, length: address.family.bitWidth)!, outputInterface: index)
    }

    /// DEL in cloud mode, before the pair goes: the addresses the pod's host end routes to
    /// (none when it is gone), whose rules `removeRules` deletes after the release.
    public func cloudPodAddresses(containerID: String, ifName: String) throws(DatapathError) -> Set<IPAddress> {
        guard let host = try? node.link(named: Self.hostInterfaceName(containerID: containerID, ifName: ifName)) else { return [] }
        return try routedAddresses(viaIndex: host.index)
    }

    /// The host addresses (/32, /128) the main table routes to link `index`.
    func routedAddresses(viaIndex index: Int32) throws(DatapathError) -> Set<IPAddress> {
        var found = Set<IPAddress>()
        for family in [IPFamily.v4, .v6] {
            for route in try dump({ try node.listRoutes(family: family) })
            where route.outputInterface == index && route.gateway == nil && route.destination.length == family.bitWidth {
                found.insert(route.destination.network)
            }
        }
        return found
    }

    /// Deletes every rule at `rulePriorities` whose source or destination is one of `addresses`
    /// (DEL, after the agent released them: before, its repair would put them back).
    public func removeRules(of addresses: Set<IPAddress>, rulePriorities: Set<UInt32>) throws(DatapathError) {
        guard !addresses.isEmpty else { return }
        var stale: [NetlinkRequest] = []
        for family in Set(addresses.map(\.family)) {
            for rule in try dump({ try node.listRules(family: family) }) where rule.priority.map(rulePriorities.contains) ?? false {
                let address = rule.source?.network ?? rule.destination?.network
                if let address, addresses.contains(address) { stale.append(.deleteRule(rule).tolerating(ENOENT)) }
            }
        }
        if !stale.isEmpty { try netlink { try node.perform(stale) } }
    }

    /// GC in cloud mode: removes the rules (at `rulePriorities`) of every pod address not in
    /// `keeping`, and the host ends routing to such addresses. Returns the addresses removed.
    public func removeCloudPods(keeping: Set<IPAddress>, rulePriorities: Set<UInt32>) throws(DatapathError) -> Set<IPAddress> {
        var stale = Set<IPAddress>()
        for family in [IPFamily.v4, .v6] {
            for rule in try dump({ try node.listRules(family: family) }) where rule.priority.map(rulePriorities.contains) ?? false {
                if let address = rule.source?.network ?? rule.destination?.network, !keeping.contains(address) { stale.insert(address) }
            }
        }
        guard !stale.isEmpty else { return [] }
        // A host end routing to a stale address is a pod the runtime no longer knows.
        var hostEnds = Set<Int32>()
        for family in [IPFamily.v4, .v6] {
            for route in try dump({ try node.listRoutes(family: family) })
            where route.gateway == nil && stale.contains(route.destination.network) && route.destination.length == family.bitWidth {
                if let index = route.outputInterface { hostEnds.insert(index) }
            }
        }
        for index in hostEnds {
            guard let link = try? node.link(index: index), link.kind == "veth", link.masterIndex == nil,
                  link.name.hasPrefix("veth") else { continue }
            do throws(NetlinkError) { try node.deleteLink(link.name) } catch .notFound {} catch { throw .netlink(error) }
        }
        try removeRules(of: stale, rulePriorities: rulePriorities)
        return stale
    }

    /// CHECK in cloud mode: the container end as `checkContainerSide` sees it, with a
    /// permanent neighbour entry to the host end for each route's gateway; the host end up,
    /// routing to each address; the pod's rules; the ENI table's default routes.
    public func checkCloudPod(_ pod: PodInterfaceSpec, routing: ENIRouting, containerMAC: MACAddress?) throws(DatapathError) {
        try validate(pod)
        let namespace = try openNamespace(pod.netnsPath)
        let hostName = Self.hostInterfaceName(containerID: pod.containerID, ifName: pod.ifName)
        let hostLink = try existing("host interface \(hostName)") { () throws(NetlinkError) in try node.link(named: hostName) }
        guard hostLink.isUp else { throw .drift("\(hostName) is down") }
        let (socket, podLink) = try checkContainerSide(pod, in: namespace, containerMAC: containerMAC)
        for gateway in Set(pod.routes.compactMap(\.gateway)) {
            let entries = try dump { try socket.listNeighbours(family: gateway.family, index: podLink.index) }
            guard entries.contains(where: { $0.address == gateway && $0.mac == hostLink.mac && $0.state & Neighbour.permanent != 0 }) else {
                throw .drift("no permanent neighbour entry for \(gateway) to \(hostName)'s MAC in \(pod.netnsPath)")
            }
        }
        let routed = try routedAddresses(viaIndex: hostLink.index)
        for address in pod.addresses where !routed.contains(address.address) {
            throw .drift("no route to \(address.address) on \(hostName)")
        }
        for family in Set(routing.rules.map(\.family)) {
            let present = Set(try dump { try node.listRules(family: family) })
            for rule in routing.rules where rule.family == family && !present.contains(rule) {
                throw .drift("rule \(rule) missing")
            }
        }
        guard let eni = try dump({ try node.listLinks() }).first(where: { $0.mac == routing.eniMAC }) else {
            throw .drift("no link has the ENI's MAC \(routing.eniMAC)")
        }
        for family in Set(routing.gateways.map(\.family)) {
            let table = try dump { try node.listRoutes(family: family, table: routing.table) }
            for expected in routing.defaultRoutes(eniIndex: eni.index) where expected.family == family {
                guard table.contains(where: { $0.destination == expected.destination && $0.gateway == expected.gateway
                                              && $0.outputInterface == eni.index }) else {
                    throw .drift("table \(routing.table) has no \(expected.destination) via \(expected.gateway!) on \(eni.name)")
                }
            }
        }
    }
}
