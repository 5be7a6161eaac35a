import Formatting
import Foundation

extension DeviceRoutes {
    /// Aligned columns a person can type into the console from.
    public var text: String {
        let rows = routes.map { route in
            [route.destination, route.nextHop.text, route.path]
        }
        let header = ["DESTINATION", "NEXT HOP", "PATH"]
        let widths = (0..<2).map { column in ([header] + rows).map { $0[column].count }.max()! }
        func format(_ row: [String]) -> String {
            row[0].padding(toLength: widths[0] + 2, withPad: " ", startingAt: 0)
                + row[1].padding(toLength: widths[1] + 2, withPad: " ", startingAt: 0) + row[2]
        }
        var lines = ["# \(title)"]
        lines += rows.isEmpty ? ["# (no routes: no family is shared by the VPC and an Express Connect link)"] : [format(header)] + rows.map(format)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Stable JSON: `{device, title, routes: [{destination, nextHop: {type, address?}, path}]}`, keys sorted.
    public var json: String {
        StableJSON.encode(self)
    }
}

extension StaticRoute.NextHop {
    var text: String {
        switch type {
        case .vbr: "VBR (router interface of the VPC)"
        case .vpc: "VPC (the VBR's attached VPC)"
        case .expressConnect: "Express Connect circuit → \(address ?? "")"
        case .router: address ?? ""
        }
    }
}
