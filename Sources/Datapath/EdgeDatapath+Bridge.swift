import Glibc
import Netlink
import NetworkCore

extension EdgeDatapath {
    /// Makes the bridge exist in the node namespace, up, with the gateway addresses, and
    /// turns on IPv4 (and, with an IPv6 gateway, IPv6) forwarding there. Idempotent; two
    /// netlink round trips when everything is already in place.
    /// Returns the bridge's interface index.
    @discardableResult
    public func ensureBridge(_ bridge: BridgeSpec) throws(DatapathError) -> Int32 {
        try validateLinkName(bridge.name, role: "bridge name")
        // An explicit MAC: otherwise the bridge takes its lowest port's, and the gateway's MAC
        // (cached in every pod's neighbor table) would change as pods come and go.
        let mac = MACAddress(locallyAdministeredFrom: FNV1a.hash(("bridge/" + bridge.name).utf8))
        let settings = LinkSettings(name: bridge.name, mtu: bridge.mtu, mac: mac, up: true)
        let link = try netlink {
            let replies = try node.perform([
                .addLink(settings, kind: .bridge).tolerating(EEXIST),
                .getLink(bridge.name),
            ])
            return try Link(LinkMessage(decoding: replies[1].first?.payload[...] ?? []))
        }
        guard link.kind == "bridge" else {
            throw .invalidSpec("\(bridge.name) exists and is a \(link.kind ?? "plain") link, not a bridge")
        }
        if !link.isUp {
            try netlink { try node.setLinkUp(bridge.name) }
        }
        try netlink {
            try node.perform(bridge.gatewayAddresses.map {
                .addAddress($0, index: link.index, noDAD: $0.family == .v6).tolerating(EEXIST)
            })
        }
        try enableForwarding(ipv6: bridge.gatewayAddresses.contains { $0.family == .v6 })
        return link.index
    }

    /// Routing between pods and out of the node needs forwarding on; write only when off.
    private func enableForwarding(ipv6: Bool) throws(DatapathError) {
        let keys = ["net.ipv4.ip_forward"] + (ipv6 ? ["net.ipv6.conf.all.forwarding"] : [])
        for key in keys {
            try netlink {
                if let nodeNamespace {
                    if try nodeNamespace.readSysctl(key) != "1" { try nodeNamespace.writeSysctl(key, "1") }
                } else if try Sysctl.read(key) != "1" {
                    try Sysctl.write(key, "1")
                }
            }
        }
    }
}
