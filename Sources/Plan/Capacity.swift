/// One size `plan check` compared: how much a block holds against what the plan needs of it.
public struct Capacity: Hashable, Sendable {
    /// What was measured, e.g. "IPv4 pod CIDRs of dc1 split into /24 node subnets".
    public var what: String
    /// What is counted: "node subnets", "pod addresses", "addresses", "cluster IPs".
    public var unit: String
    public var available: UInt128
    public var needed: UInt128
    /// The need plus the plan's headroom.
    public var wanted: UInt128
}
