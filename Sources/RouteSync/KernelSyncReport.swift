import Netlink
import NetworkCore

/// What one `KernelRouteSync` call did.
public struct KernelSyncReport: Sendable {
    public var added = 0
    /// Next hops changed (old route of ours removed, new one added).
    public var replaced = 0
    public var removed = 0
    /// Requests the kernel refused (next hop unreachable, another protocol's route in the
    /// way...): the prefix is not (or no longer) in the table, and `retryFailed` tries again.
    public var refused: [(prefix: IPPrefix, nextHop: KernelNextHop, error: NetlinkError)] = []
    /// Requests whose outcome is unknown because the batch was cut short by `interruption`;
    /// the next `retryFailed` reads the table and puts it right.
    public var unconfirmed = 0
    public var interruption: NetlinkError?

    public init() {}
}
