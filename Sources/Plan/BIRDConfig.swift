import NetworkCore

/// BIRD 2 configuration for an edge gateway. Dynamic BGP (`neighbor range`) is in BIRD since
/// 2.0.5 and TCP-MD5 with dynamic peers since 2.0.8 (BIRD's NEWS); Debian 12 ships 2.0.12.
public enum BIRDConfig {
    public static func render(_ policy: GatewayPolicy) -> String {
        var lines = [
            "# " + ConfigText.singleLine("BIRD 2 configuration for the edge gateway of \(policy.domain) (plan \(policy.planName)),"),
            "# rendered by `terway-edge plan render --for bird`. Nodes peer from their node networks;",
            "# the gateway only listens (dynamic BGP is always passive).",
            "#",
            "# Checked here: each node announces only node subnets of the pod CIDRs, with itself as next",
            "# hop, at most \(GatewayPolicy.prefixesPerNode) per family. Not checked here:",
        ]
        lines += policy.unchecked.map { "# - " + ConfigText.singleLine($0) }
        lines += [
            "# - how many nodes peer at once: BIRD has no limit on dynamic peers (FRR: bgp listen limit);",
            "#   the neighbor ranges\(policy.password == nil ? "" : " and the TCP-MD5 key") are the only bound.",
            "router id \(policy.routerID);",
            "",
            "protocol device {}",
        ]
        for session in policy.sessions {
            lines += ["", ""] + render(session, of: policy)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func render(_ session: GatewayPolicy.Session, of policy: GatewayPolicy) -> [String] {
        let v = session.family == .v4 ? "v4" : "v6"
        let channel = session.family == .v4 ? "ipv4" : "ipv6"
        let name = "te_\(policy.tag)_\(v)"
        let accepted = session.accepted.map { "\($0.block){\($0.length),\($0.length)}" }
        var lines = [
            session.accepted.allSatisfy(\.isAggregate)
                ? "# \(session.family): the pod CIDRs themselves (the nodes announce the domain aggregate)."
                : "# \(session.family): node subnets of the pod CIDRs, exactly their length.",
            "define \(name)_pods = [ \(accepted.joined(separator: ", ")) ];",
        ]
        if !session.exported.isEmpty {
            lines.append("define \(name)_vpc = [ \(session.exported.map(\.description).joined(separator: ", ")) ];")
        }
        lines += [
            "",
            "# A prefix is taken only from the node that forwards it: next hop = the peer.",
            "filter \(name)_from_nodes {",
            "  if net !~ \(name)_pods then reject;",
            "  if bgp_next_hop != from then reject;",
            "  accept;",
            "}",
            "",
            "# Pod routes learned from the nodes go into the kernel so the gateway forwards to them;",
            session.exported.isEmpty
                ? "# nothing is learned from the kernel (the plan exports no VPC routes)."
                : "# the VPC route is learned from the kernel, so it is announced only while the gateway can reach the VPC.",
            "protocol kernel kernel_\(v) {",
        ]
        if !session.exported.isEmpty { lines.append("  learn;") }
        lines += [
            "  \(channel) {",
            "    import \(session.exported.isEmpty ? "none" : "where net ~ \(name)_vpc");",
            "    export where net ~ \(name)_pods;",
            "  };",
            "}",
        ]
        for (index, range) in session.ranges.enumerated() {
            lines += [
                "",
                "protocol bgp \(name)_nodes\(index) {",
                "  description \(quoted("edge nodes of \(policy.domain) on \(range.range)"));",
                "  local \(range.localAddress) as \(policy.asn);",
                "  neighbor range \(range.range) as \(policy.nodesASN);",
                "  dynamic name \"\(name)_node\(index)_\";",
            ]
            if let password = policy.password { lines.append("  password \(quoted(password));") }
            if policy.gtsm { lines.append("  ttl security on;") }
            lines += [
                "  \(channel) {",
                "    import filter \(name)_from_nodes;",
                "    import limit \(session.maxPrefixes) action restart;",
                "    export \(session.exported.isEmpty ? "none" : "where net ~ \(name)_vpc");",
                "  };",
                "}",
            ]
        }
        return lines
    }

    /// A BIRD string literal. BIRD's lexer knows no escapes (a string runs to the next quote
    /// and may not span lines), so quotes, backslashes and control characters are replaced
    /// rather than escaped. Plan names are plain words already; this keeps any other text
    /// from ending the string early.
    static func quoted(_ text: String) -> String {
        "\"" + ConfigText.replacing(text) { $0 == "\"" || $0 == "\\" || $0.properties.generalCategory == .control } + "\""
    }
}
