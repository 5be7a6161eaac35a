import NetworkCore

/// What a node asks a store for: "give me (or give me back) my subnets for `ttl`".
public struct LeaseRequest: Hashable, Sendable {
    public var node: String
    public var nodeAddress: IPAddress
    public var domain: NetworkDomain
    /// How long the lease lives without a renewal.
    public var ttl: Duration
    public var backendData: [String: String]
    /// Who asks: this machine's id by default (`MachineID.current`).
    public var owner: String

    public init(node: String, nodeAddress: IPAddress, domain: NetworkDomain = .edge,
                ttl: Duration = .seconds(3600), backendData: [String: String] = [:],
                owner: String = MachineID.current) {
        self.node = node
        self.nodeAddress = nodeAddress
        self.domain = domain
        self.ttl = ttl
        self.backendData = backendData
        self.owner = owner
    }

    /// Checks the fields a store will write, so a bad request never reaches the store.
    public func validate() throws(LeaseStoreError) {
        do {
            try LeaseLimits.validateNodeName(node)
            try LeaseLimits.validateBackendData(backendData)
            try LeaseLimits.validateTTL(ttl)
            try LeaseLimits.validateOwner(owner)
        } catch {
            throw .invalidRequest(node: node, reason: error.description)
        }
    }
}
