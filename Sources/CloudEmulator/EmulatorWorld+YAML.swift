import CloudAPI
import ConfigFile
import NetworkCore

extension EmulatorWorld {
    static let keys = ["region", "zones", "vpc", "vSwitches", "securityGroups", "instanceTypes", "instances", "accessKeys",
                       "ramRoles", "listen", "metadataListen", "state", "delays", "faults", "metadataDefaultInstance"]
    /// The instance states of ECS; `Running` when a world leaves it out.
    static let instanceStatuses = ["Pending", "Starting", "Running", "Stopping", "Stopped"]

    /// Reads a world through the project's one YAML walker: an unknown key, a bad value or a
    /// name that resolves to nothing is a `ConfigError` naming the line and the field.
    public static func load(yaml: String) throws(ConfigError) -> EmulatorWorld {
        try EmulatorWorld(ConfigNode.document(yaml).mapping(allowing: keys))
    }

    private init(_ top: ConfigMapping) throws(ConfigError) {
        region = try top.required("region").name()
        let zones = try top.required("zones").names()
        let vpc = try VPC(top.required("vpc"))
        let vpcBlocks = vpc.cidrs.compactMap { IPPrefix($0) }
        let vSwitches = try top.required("vSwitches").items({ (node: ConfigNode) throws(ConfigError) in
            try VSwitch(node, zones: zones, vpcBlocks: vpcBlocks)
        }, id: \.id)
        let instanceTypes = try top.required("instanceTypes").items(InstanceTypeQuota.init(world:), id: \.id)
        let ramRoles = try top.optional("ramRoles")?.items(RAMRole.init, id: \.name) ?? []
        var instances: [Instance] = []
        if let field = top.optional("instances") {
            instances = try field.items({ (node: ConfigNode) throws(ConfigError) in
                try Instance(node, types: instanceTypes, vSwitches: vSwitches, ramRoles: ramRoles)
            }, id: \.id)
            var primaryIPs: Set<String> = []
            for (node, instance) in zip(try field.list(), instances) where !primaryIPs.insert(instance.primaryIP).inserted {
                throw node.error("primaryIP \(instance.primaryIP) is another instance's too")
            }
        }
        self.zones = zones
        self.vpc = vpc
        self.vSwitches = vSwitches
        self.instanceTypes = instanceTypes
        self.ramRoles = ramRoles
        self.instances = instances
        securityGroups = try top.optional("securityGroups")?.names() ?? []
        accessKeys = try top.optional("accessKeys")?.items(AccessKey.init, id: \.id) ?? []
        listen = try top.optional("listen")?.listenAddress() ?? "127.0.0.1:8460"
        metadataListen = try top.optional("metadataListen")?.listenAddress() ?? "127.0.0.1:8461"
        state = try top.optional("state")?.name()
        delays = try top.optional("delays").map(Delays.init) ?? Delays()
        faults = try top.optional("faults").map(Faults.init) ?? Faults()
        metadataDefaultInstance = nil
        if let field = top.optional("metadataDefaultInstance") {
            let name = try field.name()
            guard instances.contains(where: { $0.id == name }) else { throw field.error("no instance is named \(name)") }
            metadataDefaultInstance = name
        }
    }
}

extension EmulatorWorld.VPC {
    init(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping(allowing: ["id", "cidrs", "namespace"])
        id = try map.required("id").name()
        let field = try map.required("cidrs")
        cidrs = []
        for item in try field.list() {
            _ = try item.prefix()
            cidrs.append(try item.string())
        }
        guard !cidrs.isEmpty else { throw field.error("expected at least one CIDR block") }
        namespace = try map.optional("namespace")?.name()
    }
}

extension EmulatorWorld.VSwitch {
    init(_ node: ConfigNode, zones: [String], vpcBlocks: [IPPrefix]) throws(ConfigError) {
        let map = try node.mapping(allowing: ["id", "zone", "cidr", "ipv6Cidr"])
        id = try map.required("id").name()
        let zoneField = try map.required("zone")
        zone = try zoneField.name()
        guard zones.contains(zone) else { throw zoneField.error("\(zone) is not one of the zones (\(zones.joined(separator: ", ")))") }
        let cidrField = try map.required("cidr")
        let block = try cidrField.prefix()
        guard block.family == .v4, vpcBlocks.contains(where: { $0.contains(block) }) else {
            throw cidrField.error("\(block) is not an IPv4 block inside the VPC's cidrs")
        }
        cidr = try cidrField.string()
        if let v6Field = map.optional("ipv6Cidr") {
            guard try v6Field.prefix().family == .v6 else { throw v6Field.error("expected an IPv6 block") }
            ipv6Cidr = try v6Field.string()
        }
    }
}

extension InstanceTypeQuota {
    init(world node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping(allowing: ["id", "eniQuantity", "eniPrivateIpAddressQuantity", "eniIpv6AddressQuantity"])
        self.init(id: try map.required("id").name(),
                  eniQuantity: try map.required("eniQuantity").integer(in: 1...1024),
                  eniPrivateIpAddressQuantity: try map.required("eniPrivateIpAddressQuantity").integer(in: 1...1024),
                  eniIpv6AddressQuantity: try map.optional("eniIpv6AddressQuantity")?.integer(in: 0...1024) ?? 0)
    }
}

extension EmulatorWorld.Instance {
    init(_ node: ConfigNode, types: [InstanceTypeQuota], vSwitches: [EmulatorWorld.VSwitch],
         ramRoles: [EmulatorWorld.RAMRole]) throws(ConfigError) {
        let map = try node.mapping(allowing: ["id", "type", "vSwitch", "primaryIP", "namespace", "ramRole", "status"])
        id = try map.required("id").name()
        let typeField = try map.required("type")
        let typeName = try typeField.name()
        guard types.contains(where: { $0.id == typeName }) else { throw typeField.error("no instance type is named \(typeName)") }
        type = typeName
        let vSwitchField = try map.required("vSwitch")
        let vSwitchId = try vSwitchField.name()
        guard let home = vSwitches.first(where: { $0.id == vSwitchId }) else { throw vSwitchField.error("no vSwitch is named \(vSwitchId)") }
        vSwitch = vSwitchId
        let ipField = try map.required("primaryIP")
        let ip = try ipField.address()
        guard IPPrefix(home.cidr)?.contains(ip) == true else { throw ipField.error("\(ip) is not in \(vSwitchId)'s \(home.cidr)") }
        primaryIP = try ipField.string()
        namespace = try map.optional("namespace")?.name()
        if let roleField = map.optional("ramRole") {
            let role = try roleField.name()
            guard ramRoles.contains(where: { $0.name == role }) else { throw roleField.error("no RAM role is named \(role)") }
            ramRole = role
        }
        if let statusField = map.optional("status") {
            let text = try statusField.string()
            guard EmulatorWorld.instanceStatuses.contains(text) else {
                throw statusField.error("expected one of \(EmulatorWorld.instanceStatuses.joined(separator: ", ")), found \(statusField.found)")
            }
            status = text
        }
    }
}

extension EmulatorWorld.AccessKey {
    init(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping(allowing: ["id", "secret", "deny"])
        id = try map.required("id").name()
        secret = try map.required("secret").name()
        deny = try map.optional("deny")?.strings()
    }
}

extension EmulatorWorld.RAMRole {
    init(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping(allowing: ["name", "ttlSeconds", "deny"])
        name = try map.required("name").name()
        // STS allows 900 s to 12 h; shorter lifetimes let tests watch a renewal.
        ttlSeconds = try map.optional("ttlSeconds")?.integer(in: 1...43200)
        deny = try map.optional("deny")?.strings()
    }
}

extension EmulatorWorld.Delays {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        let map = try node.mapping(allowing: ["attach", "detach", "metadata"])
        attach = try map.optional("attach")?.number(in: 0...3600) ?? attach
        detach = try map.optional("detach")?.number(in: 0...3600) ?? detach
        metadata = try map.optional("metadata")?.number(in: 0...3600) ?? metadata
    }
}

extension EmulatorWorld.Faults {
    init(_ node: ConfigNode) throws(ConfigError) {
        self.init()
        let map = try node.mapping(allowing: ["latency", "failureRate", "lostAnswerRate", "throttle"])
        latency = try map.optional("latency")?.number(in: 0...60) ?? latency
        failureRate = try map.optional("failureRate")?.number(in: 0...1) ?? failureRate
        lostAnswerRate = try map.optional("lostAnswerRate")?.number(in: 0...1) ?? lostAnswerRate
        for (action, field) in try map.optional("throttle")?.entries() ?? [] {
            let rule = try field.mapping(allowing: ["fraction", "perSecond"])
            let perSecondField = rule.optional("perSecond")
            let perSecond = try perSecondField?.number(in: 0...1_000_000)
            if let perSecondField, perSecond == 0 { throw perSecondField.error("expected a rate above 0") }
            throttle[action] = Throttle(fraction: try rule.optional("fraction")?.number(in: 0...1), perSecond: perSecond)
        }
    }
}

extension ConfigNode {
    /// A non-empty text value: an id, a name, a path.
    fileprivate func name() throws(ConfigError) -> String {
        let text = try string()
        guard !text.isEmpty else { throw error("expected a non-empty value") }
        return text
    }

    /// A list whose items each have an id; a second item with the same id is refused.
    fileprivate func items<Item>(_ read: (ConfigNode) throws(ConfigError) -> Item, id: (Item) -> String) throws(ConfigError) -> [Item] {
        var items: [Item] = []
        var seen: Set<String> = []
        for node in try list() {
            let item = try read(node)
            guard seen.insert(id(item)).inserted else { throw node.error("\(id(item)) is listed twice") }
            items.append(item)
        }
        return items
    }

    /// Names, each once.
    fileprivate func names() throws(ConfigError) -> [String] {
        try items({ (node: ConfigNode) throws(ConfigError) in try node.name() }, id: { $0 })
    }

    /// ADDR:PORT, as the listeners take it.
    fileprivate func listenAddress() throws(ConfigError) -> String {
        let text = try string()
        do { _ = try CloudEmulator.split(text) } catch { throw self.error("expected ADDR:PORT, found \(found)") }
        return text
    }
}
