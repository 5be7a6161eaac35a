/// A route a person enters in a device's console: destination, where it goes, and which of
/// the seed's four paths needs it.
public struct StaticRoute: Hashable, Sendable, Codable {
    public var destination: String
    public var nextHop: NextHop
    /// The path this route serves, e.g. "cloud pods → edge pods of dc1".
    public var path: String

    public init(destination: String, nextHop: NextHop, path: String) {
        self.destination = destination
        self.nextHop = nextHop
        self.path = path
    }

    public struct NextHop: Hashable, Sendable, Codable {
        public var type: Kind
        /// The next hop's address, for `expressConnect` and `router`.
        public var address: String?

        public init(type: Kind, address: String? = nil) {
            self.type = type
            self.address = address
        }

        public enum Kind: String, Hashable, Sendable, Codable {
            /// VPC route table entry, next hop type VBR.
            case vbr
            /// VBR route toward the VPC it is attached to.
            case vpc
            /// VBR route over the Express Connect circuit, toward the DC router's address.
            case expressConnect
            /// A router's ordinary next-hop address.
            case router
        }
    }
}

/// The static routes one device needs.
public struct DeviceRoutes: Hashable, Sendable, Codable {
    /// `vpc`, `vbr` or `dc-router`.
    public var device: String
    /// What the device is, for a person reading the list.
    public var title: String
    public var routes: [StaticRoute]
}
