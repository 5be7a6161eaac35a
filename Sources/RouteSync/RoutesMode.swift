/// `routes.mode`: how peer host routes reach the kernel.
public enum RoutesMode: String, Hashable, Sendable, CaseIterable {
    /// Nexthop objects where the kernel has them, classic routes with a warning where not.
    case auto
    /// One nexthop object per peer, routes carrying RTA_NH_ID; an error without kernel support.
    case nexthop
    /// `ip route add SUBNET via PEER dev LINK`, as flannel's host-gw does.
    case classic
}
