import BGP
import BGPCore
import NetworkCore
import Plan

extension AgentConfig {
    /// The gateway's address on each node network that holds one of the node's addresses:
    /// the peers of this node, one per family.
    public var gatewayAddresses: [IPAddress] {
        nodeAddresses.compactMap { address in
            domain.nodeNetworks.first { $0.cidr.prefix.contains(address) }?.gateway.address
        }
    }

    /// The speaker's configuration: the node (AS `nodesAS`) connects to the gateway's address
    /// on its node network(s) (AS `as`), one session per family, with the plan's password and
    /// GTSM unless `bgp` overrides them. Nothing is listened for: the gateway's dynamic BGP
    /// is passive, the nodes open the sessions. Originated routes follow the lease at run time.
    public func speakerConfig() -> BGPConfig {
        let gateway = domain.gateway
        let password = bgp.password ?? gateway.password
        let gtsm = bgp.gtsm ?? gateway.gtsm
        let addresses = gatewayAddresses
        let peers = addresses.map { address in
            // A family without a session of its own rides on the other one.
            let carried = domain.families.filter { family in
                family == address.family || !addresses.contains { $0.family == family }
            }
            return PeerConfig(
                address: address, remoteAS: gateway.asn.value, holdTime: bgp.holdTime,
                connectRetryTime: bgp.connectRetryTime, password: password, ttlSecurity: gtsm ? 1 : nil,
                families: Set(carried.isEmpty ? [address.family] : carried),
                localAddress: nodeAddresses.first { $0.family == address.family },
                importFilter: importPolicy, exportFilter: exportPolicy)
        }
        var config = BGPConfig(localAS: gateway.nodesASN.value, routerID: bgp.routerID ?? IPv4Address(0), listen: nil,
                               controlSocket: bgpControlSocket,
                               gracefulRestart: GracefulRestartConfig(restartTime: bgp.restartTime),
                               peers: peers, originate: [])
        // Our learned routes never resolve a next hop (the gateway peers are single-hop
        // eBGP, checked against connected networks: this matters only for other peers).
        config.nextHops.ownProtocol = routes.learnedProtocolID
        return config
    }

    /// RFC 8212: what the node takes from the gateway, from the plan. Nothing inside this
    /// domain's pod CIDRs (the node's own subnet above all: a more-specific of it would
    /// capture its pods' traffic; the other nodes are reached by host routes); then the VPC,
    /// the other domains' pod CIDRs and the data-center networks, with their more-specifics.
    /// Everything else (a default route, an API server /32, …) is refused.
    public var importPolicy: PrefixFilter {
        let own = domain.podCIDRs.map { PrefixFilter.Entry(accept: false, prefix: $0.prefix, lengths: $0.prefix.length...$0.prefix.family.bitWidth) }
        var remote = plan.vpc.cidrs.map(\.prefix)
        remote += plan.edgeDomains.filter { $0.name != domain.name }.flatMap { $0.podCIDRs.map(\.prefix) }
        remote += plan.dataCenters.flatMap { $0.networks.map(\.prefix) }
        var unique: [IPPrefix] = []
        for prefix in remote where !unique.contains(prefix) { unique.append(prefix) }
        return PrefixFilter(own + unique.map { PrefixFilter.Entry(accept: true, prefix: $0, lengths: $0.length...$0.family.bitWidth) })
    }

    /// What the node may announce: inside the domain's pod CIDRs, from the aggregate down to
    /// the node subnet length (its own subnets, or the aggregate with `domain-aggregate`).
    public var exportPolicy: PrefixFilter {
        PrefixFilter(pools.map { pool in
            PrefixFilter.Entry(accept: true, prefix: pool.block, lengths: pool.block.length...pool.subnetLength)
        })
    }

    /// What the node announces for its lease: its subnets, or the domain's pod CIDRs of the
    /// families it holds a subnet in (`bgp.advertise: domain-aggregate`).
    public func advertised(for subnets: [IPPrefix]) -> [IPPrefix] {
        switch advertise {
        case .nodeSubnet:
            return subnets
        case .domainAggregate:
            let families = Set(subnets.map(\.family))
            return domain.podCIDRs.map(\.prefix).filter { families.contains($0.family) }
        }
    }

    /// `terway-edged --check-config`: every setting as it will be used, one per line.
    public var resolvedSettings: String {
        let gateway = domain.gateway
        var lines = [
            "plan: \(planPath)",
            "domain: \(domain.name)",
            "node: \(node)",
            "nodeAddress: \(nodeAddress)",
            "nodeAddresses: \(nodeAddresses.map(\.description).joined(separator: ", "))",
            "store: \(store)",
            "subnetFile: \(subnetFile)",
            "controlSocket: \(controlSocket)",
            "metricsAddress: \(metricsAddress)",
            "leaseTTL: \(leaseTTL.components.seconds)s (renewed every \(leaseTTL.components.seconds / 3)s)",
        ]
        for pool in pools { lines.append("lease pool: \(pool.block) in /\(pool.subnetLength) node subnets") }
        lines += [
            "routes.mode: \(routes.mode.rawValue)",
            "routes.resyncSeconds: \(routes.resyncInterval.components.seconds)",
            "routes.protocol: \(routes.peerProtocolID)",
            "bgp.localAS: \(gateway.nodesASN.value)",
            "bgp.routerID: \(bgp.routerID.map { "\($0)" } ?? "-")",
            "bgp.advertise: \(advertise.rawValue)",
            "bgp.holdTime: \(bgp.holdTime)",
            "bgp.connectRetryTime: \(bgp.connectRetryTime)",
            "bgp.restartTime: \(bgp.restartTime)",
            "bgp.kernel: \(bgp.kernel ? "table \(routes.table) protocol \(routes.learnedProtocolID)" + (routes.metric.map { " metric \($0)" } ?? "") : "off")",
            "bgp.controlSocket: \(bgpControlSocket)",
        ]
        for peer in speakerConfig().peers {
            let families = peer.families.sorted { $0 == .v4 && $1 == .v6 }.map { $0 == .v4 ? "ipv4" : "ipv6" }
            lines.append("bgp.peer: \(peer.address) AS \(peer.remoteAS) families \(families.joined(separator: ",")) password \(peer.password == nil ? "no" : "yes") gtsm \(peer.ttlSecurity == nil ? "no" : "yes")")
        }
        lines.append("bgp.import: \(importPolicy)")
        lines.append("bgp.export: \(exportPolicy)")
        lines.append("masquerade: \(masquerade ? "on" : "off")")
        return lines.joined(separator: "\n") + "\n"
    }
}
