import NetworkCore

/// The BGP gateway of each edge domain: can the sessions `plan render` configures come up?
extension PlanChecker {
    mutating func checkGateways() {
        for domain in plan.edgeDomains {
            let gateway = domain.gateway
            for family in domain.families {
                guard let address = gateway.address(for: family) else {
                    report(Finding(.error, .gatewayAddressMissing, domain.podCIDRs(of: family).map { RoleBlock(role: .edgePods(domain.name), block: $0).subject },
                                   precaution: .gatewayPeersWithNodes,
                                   message: "edge domain \(domain.name) has \(family) pods but its gateway has no \(family) address to peer on",
                                   hint: "add the gateway's \(family) address to gateway.addresses"))
                    continue
                }
                let subject = Finding.Subject(role: "gateway of \(domain.name)", field: address.location.field,
                                              line: address.location.line, value: address.address.description)
                if !domain.nodeNetworks.contains(where: { $0.prefix.contains(address.address) }) {
                    report(Finding(.error, .gatewayOutsideNodeNetworks, [subject], precaution: .gatewayPeersWithNodes,
                                   message: "gateway \(address.address) of \(domain.name) is not on any of its node networks, so the nodes cannot reach it in one hop",
                                   hint: "put the gateway on the edge nodes' network or add that network to nodeNetworks"))
                }
            }
            if gateway.routerID == nil && gateway.address(for: .v4) == nil {
                report(Finding(.error, .routerIDMissing, [Finding.Subject(role: "gateway of \(domain.name)", field: "\(domain.field).gateway",
                                                                          line: domain.line, value: "")],
                               precaution: .gatewayPeersWithNodes,
                               message: "the gateway of \(domain.name) has no IPv4 address to use as BGP router ID",
                               hint: "set gateway.routerID to a unique 32-bit ID in dotted-quad form"))
            }
            checkASNs(of: domain)
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
