import Formatting
import Foundation

extension DeviceRoutes {
    /// Aligned columns a person can type into the console from.
    public var text: String {
        let rows = routes.map { [$0.destination, $0.nextHop.text, $0.path] }
        return "# \(title)\n" + (rows.isEmpty
            ? "# (no routes: no carried cross-domain path goes through this device; `plan render --for paths` says why)\n"
            : TextTable.render(["DESTINATION", "NEXT HOP", "PATH"], rows))
    }

    /// Several devices' lists, one block each.
    public static func text(_ lists: [DeviceRoutes]) -> String {
        lists.map(\.text).joined(separator: "\n")
    }

    /// Stable JSON, an array with one object per device: `[{device, dataCenter?, title,
    /// routes: [{destination, nextHop: {type, address?, dataCenter?}, path}]}]`, keys sorted.
    public static func json(_ lists: [DeviceRoutes]) -> String {
        StableJSON.encode(lists)
    }
}

extension StaticRoute.NextHop {
    var text: String {
        switch type {
        case .vbr: "VBR of \(dataCenter ?? "") (router interface of the VPC)"
        case .vpc: "VPC (the VBR's attached VPC)"
        case .expressConnect: "Express Connect circuit → \(address ?? "")"
        case .router: address ?? ""
        case .gateway: "\(address ?? "") (edge gateway; skip if it is this router)"
        }
    }
}
