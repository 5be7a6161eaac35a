import Formatting
import NetworkCore

extension CrossDomainPath {
    /// Every path, carried or not, with the routes on the way: what the lab and a person check
    /// the device lists against.
    public static func text(_ paths: [CrossDomainPath]) -> String {
        var text = "# Cross-domain paths, each hop's route first hop first (the edge gateway then forwards on the node subnets it learned over BGP)\n"
        for path in paths {
            text += "\n\(path.from) → \(path.to)  \(path.family)  " + (path.whyNotCarried.map { "NOT CARRIED: \($0)" } ?? "carried") + "\n"
            let hops = path.hops.map { ["  \($0.device)", $0.route.destination, "→ \($0.route.nextHop.text)"] }
            if let first = hops.first { text += TextTable.render(first, Array(hops.dropFirst())) }
        }
        return text
    }

    /// Stable JSON: `[{from, to, family: "IPv4"|"IPv6", carried, obstacle: str|null,
    /// hops: [{device, dataCenter?, destination, nextHop: {type, address?, dataCenter?}}]}]`.
    public static func json(_ paths: [CrossDomainPath]) -> String {
        StableJSON.encode(paths.map(JSONForm.init))
    }

    private struct JSONForm: Encodable {
        let from: String, to: String, family: String, carried: Bool, obstacle: String?, hops: [JSONHop]

        init(_ path: CrossDomainPath) {
            from = path.from.description
            to = path.to.description
            family = path.family.description
            carried = path.isCarried
            obstacle = path.whyNotCarried
            hops = path.hops.map { JSONHop(device: $0.device.kind.rawValue, dataCenter: $0.device.dataCenter, destination: $0.route.destination, nextHop: $0.route.nextHop) }
        }

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case from, to, family, carried, obstacle, hops }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            try container.encode(family, forKey: .family)
            try container.encode(carried, forKey: .carried)
            try container.encode(obstacle, forKey: .obstacle)  // null when carried
            try container.encode(hops, forKey: .hops)
        }
    }

    private struct JSONHop: Encodable {
        let device: String, dataCenter: String?, destination: String, nextHop: StaticRoute.NextHop
    }
}
