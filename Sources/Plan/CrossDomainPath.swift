import NetworkCore

/// A way traffic must be able to go between two network domains, in one family: cloud pods
/// to an edge domain's pods and back, one edge domain to another, and the VPC to a data
/// center's own networks (kubelet on an edge node to the API server and back). It lists the
/// static route every device on the way needs, first hop first, or says why the plan cannot
/// carry it.
public struct CrossDomainPath: Hashable, Sendable {
    public var from: Endpoint
    public var to: Endpoint
    public var family: IPFamily
    /// The routes on the way; empty when the path is not carried.
    public var hops: [Hop]
    /// Why the plan cannot carry the path; nil when it can.
    public var notCarried: Obstacle?

    public var isCarried: Bool { notCarried == nil }

    /// Why the plan cannot carry the path, in words; nil when it can.
    public var whyNotCarried: String? { notCarried?.text(family) }

    /// One end of a path.
    public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
        /// The VPC: cloud pods, cloud nodes, the API server.
        case cloud
        /// The pods of an edge domain.
        case edgePods(domain: String)
        /// A data center's own networks and the node networks of its edge domains.
        case dataCenter(String)

        public var description: String {
            switch self {
            case .cloud: "cloud pods"
            case .edgePods(let domain): "edge pods of \(domain)"
            case .dataCenter(let name): "networks of data center \(name)"
            }
        }
    }

    /// A device on the path and the route it needs for the path's destination.
    public struct Hop: Hashable, Sendable {
        public var device: RoutedDevice
        public var route: StaticRoute
    }

    /// What keeps the plan from carrying a path.
    public enum Obstacle: Hashable, Sendable {
        /// One end has no block of the family.
        case endpointLacksFamily(Endpoint)
        /// Traffic between two data centers crosses the VPC, which has no block of the family.
        case vpcLacksFamily
        /// The data center's circuit has no link of the family.
        case circuitLacksFamily(dataCenter: String)
        /// The domain has no node network (gateway address) of the family to announce its pods on.
        case gatewayLacksFamily(domain: String)
        /// The domain names a data center the plan does not have.
        case unknownDataCenter(domain: String)

        /// Obstacles that are the plan's design (families that do not meet) rather than a
        /// mistake that `plan check` reports as an error of its own.
        var isFamilyMismatch: Bool {
            switch self {
            case .endpointLacksFamily, .vpcLacksFamily: true
            default: false
            }
        }

        public func text(_ family: IPFamily) -> String {
            switch self {
            case .endpointLacksFamily(.cloud): "the VPC has no \(family) block"
            case .endpointLacksFamily(.edgePods(let domain)): "edge pods of \(domain) have no \(family) block"
            case .endpointLacksFamily(.dataCenter(let name)): "data center \(name) has no \(family) network"
            case .vpcLacksFamily: "the path crosses the VPC, which has no \(family) block"
            case .circuitLacksFamily(let name): "the circuit of data center \(name) has no \(family) link"
            case .gatewayLacksFamily(let domain): "edge domain \(domain) has no \(family) node network for its gateway"
            case .unknownDataCenter(let domain): "edge domain \(domain) names no data center of the plan"
            }
        }
    }
}

/// A device that needs static routes: the VPC's route table, or the VBR or the router of one
/// data center's circuit.
public struct RoutedDevice: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, CaseIterable, Sendable {
        case vpc
        case vbr
        case dcRouter = "dc-router"
    }

    public var kind: Kind
    /// The data center whose circuit the VBR or router serves; nil for the VPC.
    public var dataCenter: String?

    public static let vpc = RoutedDevice(kind: .vpc, dataCenter: nil)
    public static func vbr(_ dataCenter: String) -> RoutedDevice { RoutedDevice(kind: .vbr, dataCenter: dataCenter) }
    public static func dcRouter(_ dataCenter: String) -> RoutedDevice { RoutedDevice(kind: .dcRouter, dataCenter: dataCenter) }

    public var description: String {
        switch kind {
        case .vpc: "VPC route table"
        case .vbr: "VBR of \(dataCenter ?? "")"
        case .dcRouter: "router of \(dataCenter ?? "")"
        }
    }
}
