/// A route a person enters in a device's console: destination, where it goes, and which of
/// the plan's cross-domain paths need it.
public struct StaticRoute: Hashable, Sendable, Codable {
    public var destination: String
    public var nextHop: NextHop
    /// The paths this route serves, e.g. "cloud pods → edge pods of dc1" (several joined by "; ").
    public var path: String

    public init(destination: String, nextHop: NextHop, path: String) {
        self.destination = destination
        self.nextHop = nextHop
        self.path = path
    }

    public struct NextHop: Hashable, Sendable, Codable {
        public var type: Kind
        /// The next hop's address, for `expressConnect`, `router` and `gateway`.
        public var address: String?
        /// The data center whose VBR a `vbr` next hop is.
        public var dataCenter: String?

        public init(type: Kind, address: String? = nil, dataCenter: String? = nil) {
            self.type = type
            self.address = address
            self.dataCenter = dataCenter
        }

        public enum Kind: String, Hashable, Sendable, Codable {
            /// VPC route table entry, next hop type VBR (the data center's).
            case vbr
            /// VBR route toward the VPC it is attached to.
            case vpc
            /// VBR route over the Express Connect circuit, toward the DC router's address.
            case expressConnect
            /// A router's ordinary next-hop address.
            case router
            /// The DC router's route to an edge domain's BGP gateway, which holds the node
            /// subnets; not needed when the gateway is that router.
            case gateway
        }
    }
}

/// The static routes one device needs.
public struct DeviceRoutes: Hashable, Sendable, Codable {
    /// `vpc`, `vbr` or `dc-router`.
    public var device: String
    /// The data center whose VBR or router this is; nil for the VPC.
    public var dataCenter: String?
    /// What the device is, for a person reading the list.
    public var title: String
    public var routes: [StaticRoute]
}
