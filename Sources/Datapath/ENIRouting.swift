import Netlink
import NetworkCore

/// The host side of a cloud pod (`EdgeDatapath.setUpCloudPod`): the ENI its addresses
/// belong to, the ENI's table and the policy rules that send the pod's traffic there.
public struct ENIRouting: Hashable, Sendable {
    /// How the node finds the ENI's link: its MAC (names and ifindexes change on re-attach).
    public var eniMAC: MACAddress
    /// The ENI's table, holding a default route per family via `gateways` on the ENI.
    public var table: UInt32
    /// The vSwitch gateway of each family the pod has.
    public var gateways: [IPAddress]
    /// The pod's rules (`to <pod> lookup main`, `from <pod> lookup <table>`).
    public var rules: [Rule]

    public init(eniMAC: MACAddress, table: UInt32, gateways: [IPAddress], rules: [Rule]) {
        self.eniMAC = eniMAC
        self.table = table
        self.gateways = gateways
        self.rules = rules
    }

    /// The ENI table's default routes: on-link, since an ENI may carry no address of the vSwitch.
    func defaultRoutes(eniIndex: Int32) -> [KernelRoute] {
        gateways.map { gateway in
            KernelRoute(destination: IPPrefix.defaultRoute(gateway.family),
                        gateway: gateway, outputInterface: eniIndex, table: table, onLink: true)
        }
    }
}
