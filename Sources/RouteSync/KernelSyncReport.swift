import Netlink
import NetworkCore

/// What one `KernelRouteSync.apply` did.
public struct KernelSyncReport: Sendable {
    public var added = 0
    public var replaced = 0
    public var removed = 0
    /// Installs the kernel refused (next hop unreachable, another protocol's route in the
    /// way...): the prefix is not in the table, and the next change for it tries again.
    public var refused: [(prefix: IPPrefix, nextHop: KernelNextHop, error: NetlinkError)] = []

    public init() {}
}
