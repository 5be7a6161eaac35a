import CloudAPI
import JSON
import NetworkCore

/// The instance metadata service (`/latest/meta-data/...`) for one instance, as the engine
/// sees it `delays.metadata` seconds ago: a new attachment or address shows late, as on
/// the real service.
extension EmulatorEngine {
    func metadata(path: String, instanceId: String, now: Double) -> EmulatorResponse {
        guard let instance = world.instances.first(where: { $0.id == instanceId }),
              let vsw = world.vSwitches.first(where: { $0.id == instance.vSwitch }) else {
            return .text(404, "Not Found")
        }
        let lag = world.delays.metadata
        let visible = state.enis.values.filter { eni in
            eni.instanceId == instance.id && (eni.primary || (eni.phase == .inUse && eni.phaseSince + lag <= now))
        }
        let primary = visible.first { $0.primary }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "latest", parts[1] == "meta-data" else { return .text(404, "Not Found") }
        let rest = Array(parts.dropFirst(2))
        switch rest {
        case []: return .text(200, ["instance-id", "instance/", "region-id", "zone-id", "vswitch-id", "vpc-id", "mac",
                                    "private-ipv4", "vswitch-cidr-block", "vpc-cidr-block", "network/", "ram/"].joined(separator: "\n"))
        case ["instance-id"]: return .text(200, instance.id)
        case ["instance", "instance-type"]: return .text(200, instance.type)
        case ["region-id"]: return .text(200, world.region)
        case ["zone-id"]: return .text(200, vsw.zone)
        case ["vswitch-id"]: return .text(200, vsw.id)
        case ["vpc-id"]: return .text(200, world.vpc.id)
        case ["vswitch-cidr-block"]: return .text(200, vsw.cidr)
        case ["vpc-cidr-block"]: return .text(200, world.vpc.cidrs.first ?? "")
        case ["private-ipv4"]: return .text(200, instance.primaryIP)
        case ["mac"]: return .text(200, primary?.macAddress ?? "")
        case ["network", "interfaces", "macs"]:
            return .text(200, visible.sorted { ($0.deviceIndex ?? 0) < ($1.deviceIndex ?? 0) }.map { $0.macAddress + "/" }.joined(separator: "\n"))
        case _ where rest.count == 5 && rest[0] == "network" && rest[1] == "interfaces" && rest[2] == "macs":
            guard let eni = visible.first(where: { $0.macAddress == rest[3] }),
                  let eniVSwitch = world.vSwitches.first(where: { $0.id == eni.vSwitchId }) else { return .text(404, "Not Found") }
            return macField(rest[4], eni: eni, vSwitch: eniVSwitch, now: now, lag: lag)
        case ["ram", "security-credentials"]: return .text(200, instance.ramRole ?? "")
        default: return .text(404, "Not Found")
        }
    }

    private func macField(_ field: String, eni: ENIRecord, vSwitch: EmulatorWorld.VSwitch, now: Double, lag: Double) -> EmulatorResponse {
        func list(_ values: [String]) -> EmulatorResponse { .text(200, JSONValue.array(values.map { .string($0) }).serialized()) }
        let block = IPPrefix(vSwitch.cidr)!
        switch field {
        case "network-interface-id": return .text(200, eni.id)
        case "primary-ip-address": return .text(200, eni.primaryIP)
        case "private-ipv4s": return list([eni.primaryIP] + eni.secondaryIPs.filter { $0.since + lag <= now }.map(\.address))
        case "ipv6s": return list(eni.ipv6s.filter { $0.since + lag <= now }.map(\.address))
        case "gateway": return .text(200, Self.gateway(of: vSwitch.cidr)?.description ?? "")
        case "netmask": return .text(200, IPv4Netmask.text(length: block.length))
        case "vswitch-cidr-block": return .text(200, vSwitch.cidr)
        case "vswitch-id": return .text(200, vSwitch.id)
        case "vpc-id": return .text(200, world.vpc.id)
        case "vpc-cidr-block": return .text(200, world.vpc.cidrs.first ?? "")
        case "vswitch-ipv6-cidr-block": return vSwitch.ipv6Cidr.map { .text(200, $0) } ?? .text(404, "Not Found")
        case "ipv6-gateway":
            return vSwitch.ipv6Cidr.flatMap(EmulatorEngine.ipv6Gateway(of:)).map { .text(200, $0.description) } ?? .text(404, "Not Found")
        default: return .text(404, "Not Found")
        }
    }
}

enum IPv4Netmask {
    static func text(length: Int) -> String {
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
        return [24, 16, 8, 0].map { String((mask >> UInt32($0)) & 0xFF) }.joined(separator: ".")
    }
}
