import NetworkCore

/// What the host holds for a cloud pod, shared by the plugin (which installs it at ADD) and
/// the agent (which repairs it when a rule or route disappears):
///
/// - in the pod: the address as /32 (/128) on `eth0`, a default route via `podGateway`
///   (onlink), and a permanent neighbour entry for `podGateway` to the host end's MAC;
/// - on the host: a route to the pod on its veth (main table), the rule `to <pod> lookup
///   main` at `toPodPriority`, and `from <pod> lookup <table of its ENI>` at
///   `fromPodPriority`; that table holds the default route via the vSwitch gateway on the ENI.
public enum CloudPodRouting {
    /// ENI tables are `tableBase + slot`: stable across re-attach, unlike ifindex-based ids.
    public static let tableBase = 1000
    public static let maximumSlot = 255

    public static func table(slot: Int) -> Int { tableBase + slot }

    /// Below the kernel's `main` rule (32766) and clear of the range that systemd-networkd and
    /// NetworkManager pick for rules without an explicit priority (counting down from 32765).
    public static let toPodPriority = 512
    public static let fromPodPriority = 2048

    /// The pod's gateway: link-local, answered by the host end through a permanent neighbour
    /// entry, so no address of the VPC is spent on it.
    public static let podGatewayV4 = IPAddress("169.254.1.1")!
    public static let podGatewayV6 = IPAddress("fe80::1")!

    public static func podGateway(_ family: IPFamily) -> IPAddress {
        family == .v4 ? podGatewayV4 : podGatewayV6
    }

    /// A policy rule of one pod address.
    public struct Rule: Hashable, Sendable, CustomStringConvertible {
        public var priority: Int
        public var destination: IPPrefix?
        public var source: IPPrefix?
        /// 254 is the main table.
        public var table: Int

        public var description: String {
            let selector = destination.map { "to \($0)" } ?? source.map { "from \($0)" } ?? "all"
            return "\(priority): \(selector) lookup \(table == 254 ? "main" : String(table))"
        }
    }

    /// The two rules of each of the grant's addresses.
    public static func rules(for grant: PodAddressGrant) -> [Rule] {
        grant.addresses.flatMap { address -> [Rule] in
            let host = IPPrefix(network: address, length: address.family.bitWidth)!
            return [Rule(priority: toPodPriority, destination: host, source: nil, table: 254),
                    Rule(priority: fromPodPriority, destination: nil, source: host, table: grant.eni.table)]
        }
    }
}
