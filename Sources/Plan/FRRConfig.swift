import NetworkCore

/// FRR (8.x) configuration for an edge gateway: one peer group per family bound to listen
/// ranges, route maps in both directions (FRR's default `bgp ebgp-requires-policy` drops
/// eBGP routes without them).
public enum FRRConfig {
    public static func render(_ policy: GatewayPolicy) -> String {
        let sessions = policy.sessions.map { (session: $0, name: name(of: $0, in: policy)) }
        var lines = [
            "! FRR configuration for the edge gateway of \(policy.domain) (plan \(policy.planName)),",
            "! rendered by `terway-edge plan render --for frr`. Nodes peer from their node networks;",
            "! the gateway only listens (bgp listen range).",
            "frr defaults traditional",
            "!",
        ]
        for (session, name) in sessions {
            lines += prefixLists(session, name: name) + routeMaps(session, name: name)
        }
        lines += [
            "router bgp \(policy.asn)",
            " bgp router-id \(policy.routerID)",
            " no bgp default ipv4-unicast",
            " bgp listen limit \(policy.maxPeers)",
        ]
        for (session, name) in sessions {
            lines += [
                " neighbor \(name) peer-group",
                " neighbor \(name) remote-as \(policy.nodesASN)",
                " neighbor \(name) update-source \(session.localAddress)",
            ]
            if let password = policy.password { lines.append(" neighbor \(name) password \(password)") }
            if policy.gtsm { lines.append(" neighbor \(name) ttl-security hops 1") }
            lines += session.peerRanges.map { " bgp listen range \($0) peer-group \(name)" }
        }
        for (session, name) in sessions {
            lines += [" !", " address-family \(session.family == .v4 ? "ipv4" : "ipv6") unicast"]
            // `network` announces a VPC CIDR only while the gateway's RIB has a route to it (import-check).
            lines += session.exported.map { "  network \($0)" }
            lines += [
                "  neighbor \(name) activate",
                "  neighbor \(name) route-map \(name)-IN in",
                "  neighbor \(name) route-map \(name)-OUT out",
                "  neighbor \(name) maximum-prefix \(session.maxPrefixes)",
                " exit-address-family",
            ]
        }
        lines += ["exit", "!"]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func name(of session: GatewayPolicy.Session, in policy: GatewayPolicy) -> String {
        "TE-\(policy.tag)-NODES-\(session.family == .v4 ? "V4" : "V6")"
    }

    private static func prefixLists(_ session: GatewayPolicy.Session, name: String) -> [String] {
        let ip = session.family == .v4 ? "ip" : "ipv6"
        var lines: [String] = []
        var seq = 0
        for accepted in session.accepted {
            seq += 5
            lines.append("\(ip) prefix-list \(name)-PODS seq \(seq) permit \(accepted.block) ge \(accepted.nodeSubnetLength) le \(accepted.nodeSubnetLength)")
            seq += 5
            lines.append("\(ip) prefix-list \(name)-PODS seq \(seq) permit \(accepted.block)")
        }
        for (index, block) in session.exported.enumerated() {
            lines.append("\(ip) prefix-list \(name)-VPC seq \(5 * (index + 1)) permit \(block)")
        }
        return lines + ["!"]
    }

    private static func routeMaps(_ session: GatewayPolicy.Session, name: String) -> [String] {
        let ip = session.family == .v4 ? "ip" : "ipv6"
        var lines = [
            "route-map \(name)-IN permit 10",
            " match \(ip) address prefix-list \(name)-PODS",
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
