import NetworkCore

/// FRR (8.x) configuration for an edge gateway: per family a prefix list and route maps in
/// both directions (FRR's default `bgp ebgp-requires-policy` drops eBGP routes without them),
/// and a peer group bound to the listen range of each node network.
public enum FRRConfig {
    public static func render(_ policy: GatewayPolicy) -> String {
        var lines = [
            "! " + ConfigText.singleLine("FRR configuration for the edge gateway of \(policy.domain) (plan \(policy.planName)),"),
            "! rendered by `terway-edge plan render --for frr`. Nodes peer from their node networks;",
            "! the gateway only listens (bgp listen range), at most \(policy.maxPeers) nodes at once.",
            "!",
            "! Checked here: each node announces only node subnets of the pod CIDRs, at most",
            "! \(GatewayPolicy.prefixesPerNode) per family, and their next hop is set to the node itself. Not checked here:",
        ]
        lines += policy.unchecked.map { "! - " + ConfigText.singleLine($0) }
        lines += ["frr defaults traditional", "!"]
        for session in policy.sessions {
            lines += prefixLists(session, name: name(of: session, in: policy)) + routeMaps(session, name: name(of: session, in: policy))
        }
        lines += [
            "router bgp \(policy.asn)",
            " bgp router-id \(policy.routerID)",
            " no bgp default ipv4-unicast",
            " bgp listen limit \(policy.maxPeers)",
        ]
        for session in policy.sessions {
            for (index, range) in session.ranges.enumerated() {
                let group = "\(name(of: session, in: policy))-NODES\(index)"
                lines += [
                    " neighbor \(group) peer-group",
                    " neighbor \(group) remote-as \(policy.nodesASN)",
                    " neighbor \(group) update-source \(range.localAddress)",
                ]
                if let password = policy.password { lines.append(" neighbor \(group) password \(password)") }
                if policy.gtsm { lines.append(" neighbor \(group) ttl-security hops 1") }
                lines.append(" bgp listen range \(range.range) peer-group \(group)")
            }
        }
        for session in policy.sessions {
            let name = name(of: session, in: policy)
            lines += [" !", " address-family \(session.family == .v4 ? "ipv4" : "ipv6") unicast"]
            // `network` announces a VPC CIDR only while the gateway's RIB has a route to it (import-check).
            lines += session.exported.map { "  network \($0)" }
            for index in session.ranges.indices {
                let group = "\(name)-NODES\(index)"
                lines += [
                    "  neighbor \(group) activate",
                    "  neighbor \(group) route-map \(name)-IN in",
                    "  neighbor \(group) route-map \(name)-OUT out",
                    "  neighbor \(group) maximum-prefix \(session.maxPrefixes)",
                ]
            }
            lines.append(" exit-address-family")
        }
        lines += ["exit", "!"]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func name(of session: GatewayPolicy.Session, in policy: GatewayPolicy) -> String {
        "TE-\(policy.tag)-\(session.family == .v4 ? "V4" : "V6")"
    }

    private static func prefixLists(_ session: GatewayPolicy.Session, name: String) -> [String] {
        let ip = session.family == .v4 ? "ip" : "ipv6"
        // FRR wants ge above the block's length: the aggregate is the block alone.
        var lines = session.accepted.enumerated().map { index, accepted in
            "\(ip) prefix-list \(name)-PODS seq \(5 * (index + 1)) permit \(accepted.block)"
                + (accepted.isAggregate ? "" : " ge \(accepted.length) le \(accepted.length)")
        }
        for (index, block) in session.exported.enumerated() {
            lines.append("\(ip) prefix-list \(name)-VPC seq \(5 * (index + 1)) permit \(block)")
        }
        return lines + ["!"]
    }

    /// In: node subnets only, next hop forced to the announcing node (FRR cannot refuse a
    /// third-party next hop, so it overrides it). Out: the VPC, or nothing.
    private static func routeMaps(_ session: GatewayPolicy.Session, name: String) -> [String] {
        let ip = session.family == .v4 ? "ip" : "ipv6"
        var lines = [
            "route-map \(name)-IN permit 10",
            " match \(ip) address prefix-list \(name)-PODS",
            " set \(ip) next-hop peer-address",
            "exit",
            "!",
        ]
        if session.exported.isEmpty {
            lines += ["route-map \(name)-OUT deny 10", "exit", "!"]
        } else {
            lines += ["route-map \(name)-OUT permit 10", " match \(ip) address prefix-list \(name)-VPC", "exit", "!"]
        }
        return lines
    }
}
