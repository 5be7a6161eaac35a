import NetworkCore

extension EdgeDatapath {
    /// Rejects what the kernel would refuse with a less helpful errno, before anything changes.
    func validate(_ pod: PodInterfaceSpec) throws(DatapathError) {
        guard !pod.containerID.isEmpty else { throw .invalidSpec("container id is empty") }
        try validateLinkName(pod.ifName, role: "interface name")
        guard (68...65535).contains(pod.mtu) else { throw .invalidSpec("MTU \(pod.mtu) is outside 68...65535") }
        for route in pod.routes {
            if let gateway = route.gateway, gateway.family != route.destination.family {
                throw .invalidSpec("route \(route.destination) has a gateway of the other family (\(gateway))")
            }
        }
    }

    /// `NetworkCore`'s `LinkName` rule, the one the CNI dispatcher applies to CNI_IFNAME.
    func validateLinkName(_ name: String, role: String) throws(DatapathError) {
        if let problem = LinkName.problem(with: name) { throw .invalidSpec("\(role) \"\(name)\" \(problem)") }
    }
}
