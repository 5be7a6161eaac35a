import ConfigFile
import NetworkCore

extension Plan {
    /// Reads a plan from YAML text. Every error names the line and the field path; unknown
    /// fields, wrong types, names that are not plain words and CIDRs with host bits set are
    /// errors, never ignored.
    public init(yaml: String) throws(ConfigError) {
        try self.init(ConfigNode.document(yaml))
    }

    /// Top-level keys of earlier plan versions, refused with what replaced them.
    private static let replacedKeys = [
        "dataCenter": "replaced by dataCenters: a list of data centers, each with its networks and its own Express Connect circuit",
        "expressConnect": "replaced by dataCenters[].circuit: each data center has its own circuit (VBR and DC router addresses), and each edge domain names its dataCenter",
    ]

    private init(_ document: ConfigNode) throws(ConfigError) {
        if case .mapping(let mapping) = document.node {
            for key in mapping.keys {
                if let name = key.string, let message = Self.replacedKeys[name] {
                    throw ConfigError(line: key.mark?.line, field: name, message)
                }
            }
        }
        let top = try document.mapping(allowing: ["name", "headroomPercent", "vpc", "services", "dataCenters", "edgeDomains"])
        name = try top.optional("name")?.name()
        headroomPercent = try top.optional("headroomPercent")?.integer(in: 0...1000) ?? 0
        vpc = try VPC(top.required("vpc"))
        services = try Services(top.required("services"))
        dataCenters = try top.required("dataCenters").nonEmptyList(of: "data center", DataCenter.init)
        edgeDomains = try top.required("edgeDomains").nonEmptyList(of: "edge domain", EdgeDomain.init)
    }
}

/// Counts that plan sizes: at most a million of anything per node or cluster.
private let countRange = 0...1_000_000

extension Plan.VPC {
    init(_ field: ConfigNode) throws(ConfigError) {
        let map = try field.mapping(allowing: ["cidrs", "vSwitches", "cloudNodes", "podsPerCloudNode", "instanceType", "eniCapacity", "routeEntryQuota"])
        cidrs = try map.required("cidrs").nonEmptyPrefixes()
        vSwitches = try map.required("vSwitches").nonEmptyList(of: "vSwitch") { item throws(ConfigError) in
            let vsw = try item.mapping(allowing: ["name", "cidrs"])
            return Plan.VSwitch(name: try vsw.required("name").name(), cidrs: try vsw.required("cidrs").nonEmptyPrefixes())
        }
        cloudNodes = try map.required("cloudNodes").integer(in: countRange)
        podsPerCloudNode = try map.required("podsPerCloudNode").integer(in: countRange)
        if let type = map.optional("instanceType") {
            instanceType = PlanValue(try type.name(), at: type.location)
        }
        if let figures = map.optional("eniCapacity") {
            let eni = try figures.mapping(allowing: ["eniQuantity", "eniPrivateIpAddressQuantity"])
            eniCapacity = PlanValue(ENICapacity(enis: try eni.required("eniQuantity").integer(in: 1...1000),
                                                addressesPerENI: try eni.required("eniPrivateIpAddressQuantity").integer(in: 1...1000)),
                                    at: figures.location)
        }
        if let quota = map.optional("routeEntryQuota") {
            routeEntryQuota = PlanValue(try quota.integer(in: 1...countRange.upperBound), at: quota.location)
        }
    }
}

extension Plan.Services {
    init(_ field: ConfigNode) throws(ConfigError) {
        let map = try field.mapping(allowing: ["cidrs", "expectedServices"])
        cidrs = try map.required("cidrs").nonEmptyPrefixes()
        expectedServices = try map.required("expectedServices").integer(in: countRange)
    }
}

extension Plan.DataCenter {
    init(_ field: ConfigNode) throws(ConfigError) {
        let map = try field.mapping(allowing: ["name", "networks", "circuit"])
        self.field = field.path
        line = field.line
        name = try map.required("name").name()
        networks = try map.optional("networks")?.blocks() ?? []
        circuit = try Plan.Circuit(map.required("circuit"))
    }
}

extension Plan.Circuit {
    init(_ field: ConfigNode) throws(ConfigError) {
        let map = try field.mapping(allowing: ["links", "routeServiceCIDRs"])
        if let services = map.optional("routeServiceCIDRs") {
            // Earlier plans routed the service CIDRs from the data center into the VPC, where
            // nothing answers for them: cluster IPs exist only in kube-proxy's rules on each node.
            throw services.error("removed: nothing in the VPC answers for cluster IPs (kube-proxy serves them on each node), so the route led nowhere; reach services from the data center through a LoadBalancer or NodePort service")
        }
        var links: [Link] = []
        for item in try map.required("links").list() {
            let link = try item.mapping(allowing: ["cidr", "vbr", "dcRouter"])
            let parsed = Link(cidr: try link.required("cidr").block(), vbr: try link.required("vbr").locatedAddress(),
                              dcRouter: try link.required("dcRouter").locatedAddress())
            guard !links.contains(where: { $0.cidr.prefix.family == parsed.cidr.prefix.family }) else {
                throw item.error("a second \(parsed.cidr.prefix.family) link; give one link per family")
            }
            links.append(parsed)
        }
        guard !links.isEmpty else { throw try map.required("links").error("at least one link is needed") }
        self.links = links
    }
}

extension Plan.EdgeDomain {
    init(_ field: ConfigNode) throws(ConfigError) {
        let map = try field.mapping(allowing: ["name", "dataCenter", "podCIDRs", "nodeSubnetLength", "nodeNetworks", "edgeNodes", "podsPerEdgeNode", "gateway"])
        self.field = field.path
        line = field.line
        name = try map.required("name").name()
        let dataCenter = try map.required("dataCenter")
        self.dataCenter = PlanValue(try dataCenter.name(), at: dataCenter.location)
        podCIDRs = try map.required("podCIDRs").nonEmptyPrefixes()
        let lengths = try map.required("nodeSubnetLength").mapping(allowing: ["ipv4", "ipv6"])
        var nodeSubnetLength: [IPFamily: PlanValue<Int>] = [:]
        for family in IPFamily.allCases {
            guard let length = lengths.optional(family.key) else { continue }
            nodeSubnetLength[family] = PlanValue(try length.integer(in: 0...family.bitWidth), at: length.location)
        }
        self.nodeSubnetLength = nodeSubnetLength
        nodeNetworks = try map.required("nodeNetworks").nonEmptyList(of: "node network") { item throws(ConfigError) in
            let network = try item.mapping(allowing: ["cidr", "gateway"])
            return Plan.NodeNetwork(cidr: try network.required("cidr").block(), gateway: try network.required("gateway").locatedAddress())
        }
        edgeNodes = try map.required("edgeNodes").integer(in: countRange)
        podsPerEdgeNode = try map.required("podsPerEdgeNode").integer(in: countRange)
        gateway = try Plan.Gateway(map.required("gateway"))
    }
}

extension Plan.Gateway {
    init(_ field: ConfigNode) throws(ConfigError) {
        let map = try field.mapping(allowing: ["addresses", "as", "nodesAS", "routerID", "password", "gtsm", "exportVPCRoutes", "nodesAdvertise"])
        if let addresses = map.optional("addresses") {
            throw addresses.error("replaced by nodeNetworks[].gateway: give the gateway's address on each node network")
        }
        asn = try map.required("as").asn()
        nodesASN = try map.required("nodesAS").asn()
        if let id = map.optional("routerID") {
            let text = try id.string()
            guard let parsed = IPv4Address(text) else { throw id.error("'\(text)' is not an IPv4 address (a BGP router ID is 32 bits)") }
            routerID = parsed
        }
        if let secret = map.optional("password") {
            let text = try secret.string()
            // Linux takes TCP-MD5 keys of up to 80 bytes (TCP_MD5SIG_MAXKEYLEN); FRR reads the key
            // as one word and BIRD strings have no escapes, so spaces and quotes are refused rather than mangled.
            guard !text.isEmpty, text.utf8.count <= 80,
                  text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" })
            else { throw secret.error("the password must be 1 to 80 printable ASCII characters without spaces, quotes or backslashes") }
            password = text
        }
        gtsm = try map.optional("gtsm")?.bool() ?? false
        exportVPCRoutes = try map.optional("exportVPCRoutes")?.bool() ?? false
        nodesAdvertise = .nodeSubnet
        if let field = map.optional("nodesAdvertise") {
            let text = try field.string()
            guard let parsed = NodeAdvertisement(rawValue: text) else {
                throw field.error("expected one of \(NodeAdvertisement.allCases.map(\.rawValue).joined(separator: ", ")), found \"\(text)\"")
            }
            nodesAdvertise = parsed
        }
    }
}

extension IPFamily {
    /// The plan's key for per-family settings.
    var key: String { self == .v4 ? "ipv4" : "ipv6" }
}

extension ConfigNode {
    var location: PlanLocation { PlanLocation(field: path, line: line) }

    /// A CIDR block with where it was written.
    func block() throws(ConfigError) -> PlanBlock {
        PlanValue(try prefix(), at: location)
    }

    func blocks() throws(ConfigError) -> [PlanBlock] {
        var blocks: [PlanBlock] = []
        for item in try list() { blocks.append(try item.block()) }
        return blocks
    }

    func locatedAddress() throws(ConfigError) -> PlanAddress {
        PlanValue(try address(), at: location)
    }

    /// Any 32-bit number: the checker reports the reserved ones (0, 4294967295) with the rest.
    func asn() throws(ConfigError) -> PlanValue<UInt32> {
        let expected = "an AS number from 1 to 4294967294"
        guard let value = UInt32(try plain(expected: expected)) else { throw error("expected \(expected), found \(found)") }
        return PlanValue(value, at: location)
    }

    func nonEmptyPrefixes() throws(ConfigError) -> [PlanBlock] {
        let blocks = try blocks()
        guard !blocks.isEmpty else { throw error("at least one CIDR block is needed") }
        return blocks
    }

    func nonEmptyList<Element>(of what: String, _ read: (ConfigNode) throws(ConfigError) -> Element) throws(ConfigError) -> [Element] {
        var elements: [Element] = []
        for item in try list() { elements.append(try read(item)) }
        guard !elements.isEmpty else { throw error("at least one \(what) is needed") }
        return elements
    }

    /// A name that ends up in reports and device configurations (BIRD symbols and strings,
    /// FRR comments): 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit.
    /// Anything else (a newline, a quote, a brace) could change what a rendered config says.
    func name() throws(ConfigError) -> String {
        let text = try string()
        let allowed = text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
        guard (1...63).contains(text.unicodeScalars.count), allowed,
              let first = text.unicodeScalars.first, first.properties.isAlphabetic || ("0"..."9").contains(first)
        else {
            throw error("expected a name of 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit; found \(text.debugDescription)")
        }
        return text
    }
}
