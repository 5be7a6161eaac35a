/// rtnetlink protocol numbers (`rtm_protocol`, `nh_protocol`) that other route owners use.
/// Every route of our number is ours to replace, remove and clean up at start, so a number
/// shared with another daemon would let us delete its routes: they are refused in config.
public enum KernelProtocolNumbers {
    /// From iproute2's /etc/iproute2/rt_protos, and FRR's zebra/rt_netlink.h (RTPROT_BGP
    /// 186 through RTPROT_SRTE 198), the daemons a node is likely to run beside us.
    public static let taken: [ClosedRange<UInt8>: String] = [
        0...4: "the kernel's own (unspec, redirect, kernel, boot, static)",
        8...8: "gated", 9...9: "ra", 10...10: "mrt", 11...11: "zebra", 12...12: "BIRD", 13...13: "dnrouted",
        14...14: "xorp", 15...15: "ntk", 16...16: "dhcp", 18...18: "keepalived", 42...42: "babel", 99...99: "openr",
        186...198: "FRR (bgp 186, isis 187, ospf 188, rip 189, ripng 190, nhrp 191, eigrp 192, ldp 193, sharp 194, pbr 195, static 196, openfabric 197, srte 198)",
    ]

    /// Who else uses `number`, or nil when it is free for us.
    public static func owner(of number: UInt8) -> String? {
        taken.first { $0.key.contains(number) }?.value
    }

    /// The default for BGP-learned routes (`proto 206`) and for peer host routes (`proto 207`).
    public static let learnedRoutes: UInt8 = 206
    public static let peerRoutes: UInt8 = 207
}
