import NetworkCore

/// What to masquerade: traffic from the pod subnets to any destination outside the cluster
/// ranges leaves with the node's address; traffic to a cluster range keeps the pod's.
/// Pure: `script` renders the nftables transaction that installs it.
public struct MasqueradeRules: Hashable, Sendable {
    /// Sources: this node's pod subnets (or all pod CIDRs of the domain).
    public var podSubnets: [IPPrefix]
    /// Destinations never masqueraded: every domain's pod CIDRs, the VPC CIDRs, the service
    /// CIDRs, the data-center networks.
    public var clusterRanges: [IPPrefix]

    /// Our table; no other table is ever read or written.
    public static let table = "terway_edge"
    static let family = "inet"
    static let chain = "postrouting"

    public init(podSubnets: [IPPrefix], clusterRanges: [IPPrefix]) {
        self.podSubnets = Array(Set(podSubnets)).sorted()
        self.clusterRanges = Array(Set(clusterRanges)).sorted()
    }

    /// A short digest of the rules, kept as the table's comment: a restarted agent that finds
    /// the same digest adopts the table instead of rewriting it.
    public var fingerprint: String {
        let text = (podSubnets.map(\.description) + ["|"] + clusterRanges.map(\.description)).joined(separator: ",")
        return "terway-edge masquerade " + String(FNV1a.hash(text.utf8), radix: 16)
    }

    /// The rules of the chain, one line each as `nft list` prints them.
    public var ruleLines: [String] {
        [IPFamily.v4, .v6].compactMap { family in
            guard podSubnets.contains(where: { $0.family == family }) else { return nil }
            let (match, suffix) = family == .v4 ? ("ip", "v4") : ("ip6", "v6")
            let exempt = clusterRanges.contains { $0.family == family } ? " \(match) daddr != @cluster_\(suffix)" : ""
            return "\(match) saddr @pods_\(suffix)\(exempt) masquerade"
        }
    }

    /// One `nft -f -` transaction: creates our table if absent and deletes it (so the delete
    /// never fails), then defines it whole. nftables applies the file atomically: packets
    /// see the old table or the new one, never none; other tables are not named.
    public var script: String {
        let name = "\(Self.family) \(Self.table)"
        var lines = ["add table \(name)", "delete table \(name)", "table \(name) {", "\tcomment \"\(fingerprint)\""]
        for family in [IPFamily.v4, .v6] {
            let (type, suffix) = family == .v4 ? ("ipv4_addr", "v4") : ("ipv6_addr", "v6")
            for (set, prefixes) in [("pods", podSubnets), ("cluster", clusterRanges)] {
                let members = prefixes.filter { $0.family == family }
                guard !members.isEmpty else { continue }
                lines += ["\tset \(set)_\(suffix) {", "\t\ttype \(type)", "\t\tflags interval", "\t\tauto-merge",
                          "\t\telements = { \(members.map(\.description).joined(separator: ", ")) }", "\t}"]
            }
        }
        lines += ["\tchain \(Self.chain) {", "\t\ttype nat hook postrouting priority srcnat; policy accept;"]
        lines += ruleLines.map { "\t\t\($0)" }
        lines += ["\t}", "}"]
        return lines.joined(separator: "\n") + "\n"
    }
}
