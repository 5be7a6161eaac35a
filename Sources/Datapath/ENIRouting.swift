import CNetlink
import Netlink
import NetworkCore

/// The host side of a cloud pod (`EdgeDatapath.setUpCloudPod`): the ENI its addresses
/// belong to, the ENI's table and the policy rules that send the pod's traffic there.
public struct ENIRouting: Hashable, Sendable {
    /// How the node finds the ENI's link: its MAC (names and ifindexes change on re-attach).
    public var eniMAC: MACAddress
    /// The ENI's table, holding per family the vSwitch's CIDR on the ENI and the default
    /// route via its gateway.
    public var table: UInt32
    /// The vSwitch gateway of each family the pod has.
    public var gateways: [IPAddress]
    /// The vSwitch CIDR of each family the pod has.
    public var subnets: [IPPrefix]
    /// The pod's rules (`to <pod> lookup main`, `from <pod> lookup <table>`).
    public var rules: [Rule]

    public init(eniMAC: MACAddress, table: UInt32, gateways: [IPAddress], subnets: [IPPrefix], rules: [Rule]) {
        self.eniMAC = eniMAC
        self.table = table
        self.gateways = gateways
        self.subnets = subnets
        self.rules = rules
    }

    /// The ENI table's routes, the agent's exactly (both ensure them, neither undoes the
    /// other): the vSwitch CIDR on the link first (an ENI carries no address of it, and the
    /// kernel checks a gateway against the table its route goes in), then the default route.
    func tableRoutes(eniIndex: Int32) -> [KernelRoute] {
        subnets.map { KernelRoute(destination: $0, outputInterface: eniIndex, table: table, scope: UInt8(RT_SCOPE_LINK.rawValue)) }
            + defaultRoutes(eniIndex: eniIndex)
    }

    func defaultRoutes(eniIndex: Int32) -> [KernelRoute] {
        gateways.map { KernelRoute(destination: IPPrefix.defaultRoute($0.family), gateway: $0, outputInterface: eniIndex, table: table) }
    }
}
