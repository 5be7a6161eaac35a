import NetworkCore

/// The static routes each device needs: the carried paths' hops, gathered per device.
extension Plan {
    /// The devices of a kind: the VPC's route table, or the VBR or router of every data
    /// center (in file order), each with its routes.
    public func routes(for kind: RoutedDevice.Kind) -> [DeviceRoutes] {
        let devices: [RoutedDevice] = kind == .vpc ? [.vpc] : dataCenters.map { RoutedDevice(kind: kind, dataCenter: $0.name) }
        let hops = paths.filter(\.isCarried).flatMap(\.hops)
        return devices.map { device in
            var routes: [StaticRoute] = []
            for hop in hops where hop.device == device {
                // One entry per destination; the paths that share it are named together.
                if let index = routes.firstIndex(where: { $0.destination == hop.route.destination }) {
                    if !routes[index].path.split(separator: ";").map({ $0.trimmingPrefix(" ") }).contains(Substring(hop.route.path)) {
                        routes[index].path += "; \(hop.route.path)"
                    }
                } else {
                    routes.append(hop.route)
                }
            }
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
