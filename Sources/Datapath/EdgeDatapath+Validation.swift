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

    /// Linux link names: 1-15 bytes, not `.`/`..`, no `/`, `:` or whitespace (dev_valid_name).
    func validateLinkName(_ name: String, role: String) throws(DatapathError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 15 else { throw .invalidSpec("\(role) \"\(name)\" must be 1 to 15 bytes") }
        guard name != ".", name != "..",
              !bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalidSpec("\(role) \"\(name)\" contains a character Linux refuses in link names")
        }
    }
}
