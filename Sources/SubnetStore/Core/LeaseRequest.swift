import NetworkCore

/// What a node asks a store for: "give me (or give me back) my subnets for `ttl`".
public struct LeaseRequest: Hashable, Sendable {
    public var node: String
    public var nodeAddress: IPAddress
    public var domain: NetworkDomain
    /// How long the lease lives without a renewal.
    public var ttl: Duration
    public var backendData: [String: String]

    public init(node: String, nodeAddress: IPAddress, domain: NetworkDomain = .edge,
                ttl: Duration = .seconds(3600), backendData: [String: String] = [:]) {
        self.node = node
        self.nodeAddress = nodeAddress
        self.domain = domain
        self.ttl = ttl
        self.backendData = backendData
    }

    /// Checks the fields a store will write, so a bad request never reaches the store.
    public func validate() throws(LeaseStoreError) {
        do {
            try LeaseLimits.validateNodeName(node)
            try LeaseLimits.validateBackendData(backendData)
            try LeaseLimits.validateTTL(ttl)
        } catch {
            throw .invalidRequest(node: node, reason: error.description)
        }
    }
}
