import NetworkCore

/// The static routes each device needs: the carried paths' hops, gathered per device.
extension Plan {
    /// The devices of a kind: the VPC's route table, or the VBR or router of every data
    /// center (in file order), each with its routes.
    public func routes(for kind: RoutedDevice.Kind) -> [DeviceRoutes] {
        let devices: [RoutedDevice] = kind == .vpc ? [.vpc] : dataCenters.map { RoutedDevice(kind: kind, dataCenter: $0.name) }
        let hops = paths.filter(\.isCarried).flatMap(\.hops)
        return devices.map { device in
            // One entry per destination, in path order; the paths that share it are named together.
            var routes: [StaticRoute] = [], paths: [[String]] = []
            for hop in hops where hop.device == device {
                if let index = routes.firstIndex(where: { $0.destination == hop.route.destination }) {
                    if !paths[index].contains(hop.route.path) { paths[index].append(hop.route.path) }
                } else {
                    routes.append(hop.route)
                    paths.append([hop.route.path])
                }
            }
            for index in routes.indices { routes[index].path = paths[index].joined(separator: "; ") }
            return DeviceRoutes(device: kind.rawValue, dataCenter: device.dataCenter, title: title(of: device), routes: routes)
        }
    }

    private func title(of device: RoutedDevice) -> String {
        switch device.kind {
        case .vpc: "VPC route table: custom route entries, next hop type VBR"
        case .vbr: "VBR of data center \(device.dataCenter ?? ""): static routes toward its circuit and the VPC"
        case .dcRouter: "Router of data center \(device.dataCenter ?? ""): static routes to its VBR over Express Connect and to the edge gateways"
        }
    }
}
