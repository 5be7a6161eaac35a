import CloudAPI

extension MetadataClient {
    /// The instance and every ENI attached to it (as far as metadata has caught up).
    public func instance() async throws -> InstanceMetadata {
        var interfaces: [ENIMetadata] = []
        for mac in ENIMetadata.macList(try await get("network/interfaces/macs/")) {
            interfaces.append(try await eni(mac: mac))
        }
        return InstanceMetadata(
            instanceId: try await get("instance-id"), instanceType: try await get("instance/instance-type"),
            region: try await get("region-id"), zone: try await get("zone-id"), vSwitchId: try await get("vswitch-id"),
            vpcId: try await get("vpc-id"), primaryMAC: try await get("mac"), interfaces: interfaces)
    }

    public func eni(mac: String) async throws -> ENIMetadata {
        let base = "network/interfaces/macs/\(mac)/"
        func addresses(_ field: String) async throws -> [String] {
            let text = try await get(base + field)
            guard let list = ENIMetadata.addressList(text) else { throw MetadataError.malformed(path: base + field, reason: "not a JSON list of addresses") }
            return list
        }
        return ENIMetadata(mac: mac, eniId: try await get(base + "network-interface-id"),
                           primaryIP: try await get(base + "primary-ip-address"),
                           privateIPv4s: try await addresses("private-ipv4s"), ipv6s: try await addresses("ipv6s"),
                           gateway: try await get(base + "gateway"), vSwitchCIDR: try await get(base + "vswitch-cidr-block"),
                           ipv6Gateway: try await absentOn404(base + "ipv6-gateway"),
                           vSwitchIPv6CIDR: try await absentOn404(base + "vswitch-ipv6-cidr-block"))
    }

    /// A path that metadata leaves out (404) where the feature is off, such as IPv6.
    private func absentOn404(_ path: String) async throws -> String? {
        do { return try await get(path) } catch MetadataError.status(_, 404, _) { return nil }
    }
}
