import NetworkCore

/// A route of a CNI Result (`routes`): what the plugin set up in the container.
public struct CNIRoute: Hashable, Sendable {
    public var destination: IPPrefix
    public var gateway: IPAddress?
    public var mtu: Int?
    public var advmss: Int?
    public var priority: Int?
    public var table: Int?
    public var scope: Int?

    public init(destination: IPPrefix, gateway: IPAddress? = nil, mtu: Int? = nil, advmss: Int? = nil,
                priority: Int? = nil, table: Int? = nil, scope: Int? = nil) {
        self.destination = destination
        self.gateway = gateway
        self.mtu = mtu
        self.advmss = advmss
        self.priority = priority
        self.table = table
        self.scope = scope
    }
}
