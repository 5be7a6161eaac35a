import NetworkCore

/// Another node of this node's domain, as its lease describes it: where its pods live and
/// the address its host routes go through.
public struct PeerNode: Hashable, Sendable {
    public var name: String
    /// The node's address on the node network (one per family it has).
    public var nodeAddresses: [IPAddress]
    /// Its pod subnets (IPv4 and/or IPv6); each is routed through the node address of its family.
    public var subnets: [IPPrefix]

    public init(name: String, nodeAddresses: [IPAddress], subnets: [IPPrefix]) {
        self.name = name
        self.nodeAddresses = nodeAddresses
        self.subnets = subnets
    }

    public init(name: String, nodeAddress: IPAddress, subnets: [IPPrefix]) {
        self.init(name: name, nodeAddresses: [nodeAddress], subnets: subnets)
    }

    func nodeAddress(_ family: IPFamily) -> IPAddress? { nodeAddresses.first { $0.family == family } }
}
