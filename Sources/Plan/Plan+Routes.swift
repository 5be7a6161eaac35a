import NetworkCore

/// The static routes of the seed's cross-domain paths. A family's routes are rendered only
/// when the VPC and an Express Connect link both have that family: IPv6 edge pods with an
/// IPv4-only VPC have nothing to reach on the cloud side.
extension Plan {
    public enum RoutedDevice: String, CaseIterable, Sendable {
        case vpc
        case vbr
        case dcRouter = "dc-router"
    }

    public func routes(for device: RoutedDevice) -> DeviceRoutes {
        switch device {
        case .vpc:
            DeviceRoutes(device: device.rawValue, title: "VPC route table: custom route entries, next hop type VBR", routes: vpcRoutes)
        case .vbr:
            DeviceRoutes(device: device.rawValue, title: "VBR route table: static routes toward the circuit and the VPC", routes: vbrRoutes)
        case .dcRouter:
            DeviceRoutes(device: device.rawValue, title: "Data-center router: static routes to the VBR over Express Connect", routes: dcRouterRoutes)
        }
    }

    /// Families that cross the Express Connect circuit.
    var routedFamilies: [IPFamily] {
        IPFamily.allCases.filter { family in
            vpc.cidrs.contains { $0.prefix.family == family } && expressConnect.link(for: family) != nil
        }
    }

    private var edgePods: [(domain: String, block: IPPrefix)] {
        edgeDomains.flatMap { domain in domain.podCIDRs.map { (domain.name, $0.prefix) } }
            .filter { routedFamilies.contains($0.block.family) }
    }

    /// Blocks the data center reaches through the VBR: the VPC, and the service CIDRs when asked.
    private var cloudBlocks: [(what: String, block: IPPrefix)] {
        (vpc.cidrs.map { ("cloud pods", $0.prefix) } +
         (expressConnect.routeServiceCIDRs ? services.cidrs.map { ("services", $0.prefix) } : []))
            .filter { routedFamilies.contains($0.block.family) }
    }

    /// Cloud pods → edge pods, first hop: the VPC sends edge pod CIDRs to the VBR.
    private var vpcRoutes: [StaticRoute] {
        edgePods.map { StaticRoute(destination: $0.block.description, nextHop: .init(type: .vbr, address: nil),
                                   path: "cloud pods → edge pods of \($0.domain)") }
    }

    /// Cloud pods → edge pods over the circuit; edge pods → cloud pods into the VPC.
    private var vbrRoutes: [StaticRoute] {
        edgePods.map { pods in
            StaticRoute(destination: pods.block.description,
                        nextHop: .init(type: .expressConnect, address: expressConnect.link(for: pods.block.family)!.dcRouter.address.description),
                        path: "cloud pods → edge pods of \(pods.domain)")
        } + cloudBlocks.map {
            StaticRoute(destination: $0.block.description, nextHop: .init(type: .vpc, address: nil), path: "edge pods → \($0.what)")
        }
    }

    /// Edge pods → cloud pods, first hop over the circuit: the DC router sends the VPC to the VBR.
    private var dcRouterRoutes: [StaticRoute] {
        cloudBlocks.map {
            StaticRoute(destination: $0.block.description,
                        nextHop: .init(type: .router, address: expressConnect.link(for: $0.block.family)!.vbr.address.description),
                        path: "edge pods → \($0.what)")
        }
    }
}
