import Glibc
import Netlink
import NetworkCore

extension EdgeDatapath {
    /// Makes the bridge exist in the node namespace, up, with the configured MTU and the
    /// gateway addresses, and turns on IPv4 (and, with an IPv6 gateway, IPv6) forwarding
    /// there. A global address that is not a gateway fails with `.staleBridgeAddresses`
    /// unless `forceAddress`, which removes it and its subnet route. Idempotent; two netlink
    /// round trips and one address dump when everything is already in place.
    /// Returns the bridge's link (index and MAC) as found before the changes.
    @discardableResult
    public func ensureBridge(_ bridge: BridgeSpec) throws(DatapathError) -> Link {
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
        let present = try netlink { try node.listAddresses(index: link.index) }
            .filter { $0.scope == 0 }.map(\.address) // RT_SCOPE_UNIVERSE: link-local addresses stay
        let stale = present.filter { !bridge.gatewayAddresses.contains($0) }
        if !stale.isEmpty && !bridge.forceAddress {
            throw .staleBridgeAddresses(bridge: bridge.name, addresses: stale)
        }
        var changes: [NetlinkRequest] = []
        for address in stale {
            changes.append(.deleteAddress(address, index: link.index))
            // The kernel drops the subnet route with the address; one added by hand goes too.
            changes.append(.deleteRoute(KernelRoute(destination: address.prefix, outputInterface: link.index)).tolerating(ESRCH))
        }
        if let mtu = bridge.mtu, link.mtu != mtu { changes.append(.setLinkMTU(bridge.name, mtu)) }
        if !link.isUp { changes.append(.setLinkUp(bridge.name)) }
        for gateway in bridge.gatewayAddresses where !present.contains(gateway) {
            changes.append(.addAddress(gateway, index: link.index, noDAD: gateway.family == .v6).tolerating(EEXIST))
        }
        if !changes.isEmpty {
            _ = try netlink { try node.perform(changes) }
        }
        try enableForwarding(ipv6: bridge.gatewayAddresses.contains { $0.family == .v6 })
        return link
    }
}
