/// Where and how learned routes go into the kernel: the routing table, the rtnetlink
/// protocol number that marks them as ours (`ip route show proto 206`), and their metric.
public struct KernelTable: Hashable, Sendable {
    /// 254 is `main`.
    public var id: UInt32
    /// Routes of this protocol in `id` are ours: installed, replaced, removed and, at
    /// start, cleaned up. No other route is ever touched.
    public var protocolID: UInt8
    /// RTA_PRIORITY; nil leaves the kernel's default (0 for IPv4, 1024 for IPv6).
    public var metric: UInt32?

    public init(id: UInt32 = 254, protocolID: UInt8, metric: UInt32? = nil) {
        self.id = id
        self.protocolID = protocolID
        self.metric = metric
    }
}
