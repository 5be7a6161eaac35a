import NetworkCore

/// The BGP gateway of each edge domain: can the sessions `plan render` configures come up,
/// and can they be trusted?
extension PlanChecker {
    mutating func checkGateways() {
        for domain in plan.edgeDomains {
            for family in domain.families where domain.nodeNetworks(of: family).isEmpty {
                report(Finding(.error, .gatewayAddressMissing, domain.podCIDRs(of: family).map { RoleBlock(role: .edgePods(domain.name), block: $0).subject },
                               precaution: .gatewayPeersWithNodes,
                               message: "edge domain \(domain.name) has \(family) pods but no \(family) node network, so its nodes have no \(family) session with the gateway to announce them on",
                               hint: "add an \(family) node network with the gateway's address on it (nodeNetworks: - cidr, gateway)"))
            }
            for (index, network) in domain.nodeNetworks.enumerated() {
                checkGatewayAddress(network, of: domain, index: index)
            }
            if domain.routerID == nil {
                report(Finding(.error, .routerIDMissing, [Finding.Subject(role: "gateway of \(domain.name)", field: "\(domain.field).gateway",
                                                                          line: domain.line, value: "")],
                               precaution: .gatewayPeersWithNodes,
                               message: "the gateway of \(domain.name) has no IPv4 address to use as BGP router ID",
                               hint: "set gateway.routerID to a unique 32-bit ID in dotted-quad form"))
            }
            if domain.gateway.password == nil {
                report(Finding(.warning, .sessionsUnauthenticated, [Finding.Subject(role: "gateway of \(domain.name)", field: "\(domain.field).gateway",
                                                                                    line: domain.line, value: "")],
                               precaution: .gatewayPeersWithNodes,
                               message: "the gateway of \(domain.name) takes BGP sessions without TCP-MD5: any host on a node network can open one and announce node subnets",
                               hint: "set gateway.password (the nodes' speakers use the same key)"))
            }
            checkASNs(of: domain)
        }
    }

    /// The gateway's address on a node network: on it, and a host address (the rule of the
    /// Express Connect link ends), so that nodes reach it in one hop and GTSM holds.
    private mutating func checkGatewayAddress(_ network: Plan.NodeNetwork, of domain: Plan.EdgeDomain, index: Int) {
        let block = network.cidr.prefix, address = network.gateway.address
        let subject = Finding.Subject(role: "gateway of \(domain.name)", field: network.gateway.location.field,
                                      line: network.gateway.location.line, value: address.description)
        if !block.contains(address) {
            report(Finding(.error, .gatewayOutsideNodeNetworks, [subject], precaution: .gatewayPeersWithNodes,
                           message: "gateway \(address) of \(domain.name) is not on its node network \(block): nodes there cannot reach it in one hop, and a session from \(block) to it would need multihop without GTSM",
                           hint: "give the gateway's address on \(block) (nodeNetworks[\(index)].gateway)"))
        } else if !block.isUsableHost(address) {
            report(Finding(.error, .gatewayAddressInvalid, [subject], precaution: .gatewayPeersWithNodes,
                           message: "gateway \(address) of \(domain.name) is the \(address == block.network ? (block.family == .v4 ? "network" : "subnet-router anycast") : "broadcast") address of \(block), which no host can hold",
                           hint: "take a host address of \(block), neither the network\(block.family == .v4 ? " nor the broadcast" : "") address"))
        }
    }

    /// 0 and 65535/4294967295 are reserved (RFC 7607, RFC 7300) and 23456 is AS_TRANS (RFC 6793).
    private static let reservedASNs: Set<UInt32> = [0, 23456, 65535, 4_294_967_295]

    private mutating func checkASNs(of domain: Plan.EdgeDomain) {
        let gateway = domain.gateway
        for (what, asn) in [("gateway AS", gateway.asn), ("nodes' AS", gateway.nodesASN)] where Self.reservedASNs.contains(asn.value) {
            report(Finding(.error, .invalidAS, [asSubject(what, asn, domain)], precaution: .gatewayPeersWithNodes,
                           message: "\(what) \(asn.value) of \(domain.name) is reserved and cannot be used on a session",
                           hint: "use a private AS: 64512-65534 or 4200000000-4294967294"))
        }
        if gateway.asn.value == gateway.nodesASN.value {
            report(Finding(.error, .sameAS, [asSubject("gateway AS", gateway.asn, domain), asSubject("nodes' AS", gateway.nodesASN, domain)],
                           precaution: .gatewayPeersWithNodes,
                           message: "the gateway and the nodes of \(domain.name) share AS \(gateway.asn.value): iBGP would need a full mesh or route reflection between the nodes",
                           hint: "give the nodes their own AS (eBGP to the gateway)"))
        }
    }

    private func asSubject(_ what: String, _ asn: PlanValue<UInt32>, _ domain: Plan.EdgeDomain) -> Finding.Subject {
        Finding.Subject(role: "\(what) of \(domain.name)", field: asn.location.field, line: asn.location.line, value: String(asn.value))
    }
}
