/// The topology as `ip -batch` lines per namespace, in the order they can be applied:
/// links (veth pairs are created from their first end's namespace, straight into the
/// other's: nothing passes through the root namespace), then addresses and ports, then routes.
extension LabTopology {
    public enum Phase: Int, CaseIterable, Sendable {
        case links, addresses, routes
    }

    /// Lines for `ip -n NAMESPACE -batch -`, per namespace with anything to do in `phase`.
    public func batches(_ phase: Phase) -> [(namespace: String, lines: [String])] {
        var lines: [String: [String]] = [:]
        switch phase {
        case .links:
            for namespace in namespaces { lines[namespace.name, default: []].append("link set lo up") }
            for bridge in bridges {
                lines[bridge.namespace, default: []] += ["link add \(bridge.device) type bridge", "link set \(bridge.device) up"]
            }
            for veth in veths {
                lines[veth.a.namespace, default: []].append("link add \(veth.a.device) type veth peer name \(veth.b.device) netns \(veth.b.namespace)")
            }
        case .addresses:
            for address in addresses {
                // No duplicate address detection: the lab's addresses are unique by construction.
                lines[address.namespace, default: []].append("addr add \(address.cidr) dev \(address.device)\(address.cidr.contains(":") ? " nodad" : "")")
            }
            for veth in veths {
                for end in [veth.a, veth.b] {
                    if let bridge = end.bridge { lines[end.namespace, default: []].append("link set \(end.device) master \(bridge)") }
                    lines[end.namespace, default: []].append("link set \(end.device) up")
                }
            }
        case .routes:
            for route in routes {
                var line = "route replace \(route.destination)"
                if let via = route.via { line += " via \(via)" }
                if let device = route.device { line += " dev \(device)" }
                lines[route.namespace, default: []].append(line)
            }
        }
        return namespaces.compactMap { namespace in lines[namespace.name].map { (namespace.name, $0) } }
    }

    /// Kernel settings per namespace: every namespace skips IPv6 DAD; routers and nodes forward
    /// and check no reverse path (traffic comes back over other links than it left by).
    public func sysctls(_ namespace: String) -> [String] {
        var settings = ["net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"]
        if forwarding.contains(namespace) {
            settings += ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                         "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"]
        }
        return settings
    }
}
