import Foundation
import Masquerade
import NetworkCore
import Testing
import TestSupport

/// The masquerade table: its transaction text, and real packets through a `te-` node
/// namespace from a pod namespace to an "outside" namespace (which has no route back to the
/// pods, so only masqueraded traffic gets answered) and to a "cluster" namespace (which
/// routes the pod CIDR back and must see the pod's own address).
@Suite struct MasqueradeTests {
    static let rules = MasqueradeRules(podSubnets: [IPPrefix("10.244.1.0/24")!, IPPrefix("fd44:1::/64")!],
                                       clusterRanges: [IPPrefix("10.244.0.0/16")!, IPPrefix("172.20.0.0/16")!,
                                                       IPPrefix("fd44::/48")!, IPPrefix("10.244.1.0/24")!])

    @Test func scriptDefinesOnlyOurTableAtomically() {
        let script = Self.rules.script
        #expect(script.hasPrefix("add table inet terway_edge\ndelete table inet terway_edge\ntable inet terway_edge {\n"))
        #expect(Self.rules.ruleLines == ["ip saddr @pods_v4 ip daddr != @cluster_v4 masquerade",
                                         "ip6 saddr @pods_v6 ip6 daddr != @cluster_v6 masquerade"])
        #expect(script.contains("elements = { 10.244.0.0/16, 10.244.1.0/24, 172.20.0.0/16 }"))
        #expect(!script.contains("flush ruleset") && script.components(separatedBy: "table ").count == 4)
        // The same ranges in another order are the same rules.
        let shuffled = MasqueradeRules(podSubnets: Self.rules.podSubnets.reversed(), clusterRanges: Self.rules.clusterRanges.reversed())
        #expect(shuffled.fingerprint == Self.rules.fingerprint)
        #expect(MasqueradeRules(podSubnets: [IPPrefix("10.244.1.0/24")!], clusterRanges: []).ruleLines == ["ip saddr @pods_v4 masquerade"])
    }

    @Test func statusReadsTheListing() {
        let listing = """
        table inet terway_edge {
        \tcomment "terway-edge masquerade 1f"
        \tset pods_v4 {
        \t\ttype ipv4_addr
        \t\telements = { 10.244.1.0/24 }
        \t}

        \tchain postrouting {
        \t\ttype nat hook postrouting priority srcnat; policy accept;
        \t\tip saddr @pods_v4 masquerade
        \t}
        }
        """
        #expect(MasqueradeStatus(listing: listing) == MasqueradeStatus(installed: true, rules: ["ip saddr @pods_v4 masquerade"],
                                                                      fingerprint: "terway-edge masquerade 1f"))
    }

    /// node (forwarding) with pod 10.244.1.2, outside 198.51.100.2, cluster 172.20.0.2.
    final class Topology {
        let node: TestNamespace, pod: TestNamespace, outside: TestNamespace, cluster: TestNamespace
        init() throws {
            node = try TestNamespace("mqnode")
            pod = try TestNamespace("mqpod")
            outside = try TestNamespace("mqout")
            cluster = try TestNamespace("mqclu")
            try node.link(to: pod, localName: "n-pod", remoteName: "eth0", localAddresses: ["10.244.1.1/24", "fd44:1::1/64"],
                          remoteAddresses: ["10.244.1.2/24", "fd44:1::2/64"])
            try node.link(to: outside, localName: "n-out", remoteName: "eth0", localAddresses: ["198.51.100.1/24", "2001:db8:100::1/64"],
                          remoteAddresses: ["198.51.100.2/24", "2001:db8:100::2/64"])
            try node.link(to: cluster, localName: "n-clu", remoteName: "eth0", localAddresses: ["172.20.0.1/24"], remoteAddresses: ["172.20.0.2/24"])
            try pod.exec(["ip", "route", "add", "default", "via", "10.244.1.1"])
            try pod.exec(["ip", "-6", "route", "add", "default", "via", "fd44:1::1"])
            try cluster.exec(["ip", "route", "add", "10.244.0.0/16", "via", "172.20.0.1"])
            try node.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"])
            try node.exec(["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
            // The far sides count ICMP echo requests by source address.
            for far in [outside, cluster] {
                try far.exec(["nft", "-f", "-"], stdin: """
                table inet te_count {
                \tchain input {
                \t\ttype filter hook input priority 0; policy accept;
                \t\tip protocol icmp ip saddr 10.244.1.2 counter
                \t\tip protocol icmp ip saddr != 10.244.1.2 counter
                \t\ticmpv6 type echo-request ip6 saddr fd44:1::2 counter
                \t\ticmpv6 type echo-request ip6 saddr != fd44:1::2 counter
                \t}
                }
                """)
            }
        }

        /// Echo requests seen from the pod's address and from any other (the node's, masqueraded).
        func counts(_ far: TestNamespace, v6: Bool = false) throws -> (pod: Int, other: Int) {
            let numbers = try far.exec(["nft", "list", "table", "inet", "te_count"]).stdout
                .split(separator: "\n").filter { $0.contains("counter packets") }
                .map { line in Int(line.split(separator: " ").drop { $0 != "packets" }.dropFirst().first ?? "") ?? -1 }
            return v6 ? (numbers[2], numbers[3]) : (numbers[0], numbers[1])
        }

        func ping(_ address: String) throws -> Bool {
            try pod.exec(["ping", address.contains(":") ? "-6" : "-4", "-c", "2", "-i", "0.2", "-W", "1", address], check: false).status == 0
        }
    }

    @Test func podTrafficLeavingTheClusterIsMasqueradedAndClusterTrafficIsNot() throws {
        let t = try Topology()
        let masquerade = Masquerade(namespacePath: t.node.path)
        try t.node.exec(["nft", "add", "table", "ip", "someone_else"])
        #expect(try !masquerade.status().installed)
        // Without the table the outside cannot answer the pod (it has no route back).
        #expect(try !t.ping("198.51.100.2"))
        #expect(try !t.ping("2001:db8:100::2"))

        #expect(try masquerade.apply(Self.rules))
        #expect(try t.ping("198.51.100.2"), "masqueraded ping to the outside got no answer")
        let outside = try t.counts(t.outside)
        #expect(outside.other >= 2, "the outside saw \(outside)")

        #expect(try t.ping("2001:db8:100::2"), "masqueraded IPv6 ping to the outside got no answer")
        let outside6 = try t.counts(t.outside, v6: true)
        // (Its pod count holds the unanswered pings sent before the table existed.)
        #expect(outside6.other >= 2, "the outside saw \(outside6) over IPv6")

        #expect(try t.ping("172.20.0.2"))
        let cluster = try t.counts(t.cluster)
        #expect(cluster.pod == 2 && cluster.other == 0, "the cluster range saw \(cluster): pod traffic to it must keep the pod's address")

        // Idempotent: the same rules again write nothing; the status reads back what is installed.
        #expect(try !masquerade.apply(Self.rules))
        let status = try masquerade.status()
        #expect(status.installed && status.rules == Self.rules.ruleLines && status.fingerprint == Self.rules.fingerprint)
        // Changed rules replace ours in one transaction; the other table stays.
        let fewer = MasqueradeRules(podSubnets: [IPPrefix("10.244.1.0/24")!], clusterRanges: [IPPrefix("10.244.0.0/16")!])
        #expect(try masquerade.apply(fewer))
        #expect(try masquerade.status().rules == fewer.ruleLines)

        try masquerade.remove()
        try masquerade.remove()
        #expect(try !masquerade.status().installed)
        #expect(try t.node.exec(["nft", "list", "tables"]).stdout.contains("table ip someone_else"))
    }
}
