import Agent
import Netlink
import NetworkCore

extension NodeDoctor {
    /// A route of someone else inside the pod ranges takes pod traffic away (the longer
    /// prefix wins): a Docker bridge, a VPN, a leftover of another CNI. Routes that cover a
    /// pod range whole (a default route, a 10.0.0.0/8 to the router) are not: ours are longer.
    func checkRouteOverlaps(config: AgentConfig?, nodeSubnets: [IPPrefix]) -> DoctorFinding {
        var ranges = config?.plan.edgeDomains.flatMap { $0.podCIDRs.map(\.prefix) } ?? []
        for subnet in nodeSubnets where !ranges.contains(where: { $0.contains(subnet) }) { ranges.append(subnet) }
        guard !ranges.isEmpty else {
            return .problem("routes.overlap", "no pod range known (no config, no subnet file)",
                            fix: "fix the config and subnet file problems above, then run doctor again")
        }
        let ours: Set<UInt8> = config.map { [$0.routes.peerProtocolID, $0.routes.learnedProtocolID] } ?? [206, 207]
        let routes: [KernelRoute]
        do throws(NetlinkError) {
            let socket = try NetlinkSocket()
            routes = try socket.listRoutes(family: .v4) + socket.listRoutes(family: .v6)
        } catch {
            return .problem("routes.overlap", "cannot read the routes: \(error)", fix: "run doctor on the node, as root")
        }
        let clashes = Self.overlaps(ranges: ranges, routes: routes, ourProtocols: ours, nodeSubnets: nodeSubnets)
        guard clashes.isEmpty else {
            return .problem("routes.overlap", clashes.map { "\($0.route) (proto \($0.protocolID)) inside pod range \($0.range)" }.joined(separator: "; "),
                            fix: "remove those routes (and the interface or program that adds them), or move the pod CIDR in the plan to a block the node does not use")
        }
        return .ok("routes.overlap", "no foreign route inside \(ranges.map(\.description).joined(separator: ", "))")
    }

    struct Overlap: Equatable {
        var route: IPPrefix
        var protocolID: UInt8
        var range: IPPrefix
    }

    /// Routes inside (or equal to) a pod range that are neither ours nor the node's own
    /// subnet on its bridge.
    static func overlaps(ranges: [IPPrefix], routes: [KernelRoute], ourProtocols: Set<UInt8>, nodeSubnets: [IPPrefix]) -> [Overlap] {
        routes.compactMap { route in
            guard !ourProtocols.contains(route.protocolID),
                  !nodeSubnets.contains(where: { $0.contains(route.destination) }),
                  let range = ranges.first(where: { $0.contains(route.destination) }) else { return nil }
            return Overlap(route: route.destination, protocolID: route.protocolID, range: range)
        }
    }
}
