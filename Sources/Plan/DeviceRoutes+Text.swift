import Foundation

extension DeviceRoutes {
    /// Aligned columns a person can type into the console from.
    public var text: String {
        let rows = routes.map { [$0.destination, $0.nextHop.text, $0.path] }
        var lines = ["# \(title)"]
        lines += rows.isEmpty
            ? ["# (no routes: no carried cross-domain path goes through this device; `plan render --for paths` says why)"]
            : alignedRows([["DESTINATION", "NEXT HOP", "PATH"]] + rows)
        return lines.joined(separator: "\n") + "\n"
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

/// Rows padded to aligned columns; the last column is not padded.
func alignedRows(_ rows: [[String]]) -> [String] {
    guard let columns = rows.first?.count, columns > 0 else { return [] }
    let widths = (0..<columns - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { index, cell in index < columns - 1 ? cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0) : cell }.joined()
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
