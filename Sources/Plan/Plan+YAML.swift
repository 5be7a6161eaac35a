import NetworkCore
import Yams

extension Plan {
    /// Reads a plan from YAML text. Every error names the line and the field path; unknown
    /// fields, wrong types and CIDRs with host bits set are errors, never ignored.
    public init(yaml: String) throws(PlanParseError) {
        try self.init(YAMLField.document(yaml))
    }

    private init(_ document: YAMLField) throws(PlanParseError) {
        let top = try document.mapping(allowing: ["name", "headroomPercent", "vpc", "services", "dataCenter", "expressConnect", "edgeDomains"])
        name = try top.optional("name")?.string()
        headroomPercent = try top.optional("headroomPercent")?.integer(in: 0...1000) ?? 0
        vpc = try VPC(top.required("vpc"))
        services = try Services(top.required("services"))
        if let dataCenter = top.optional("dataCenter") {
            dataCenterNetworks = try dataCenter.mapping(allowing: ["networks"]).required("networks").prefixes()
        } else {
            dataCenterNetworks = []
        }
        expressConnect = try ExpressConnect(top.required("expressConnect"))
        var domains: [EdgeDomain] = []
        for item in try top.required("edgeDomains").list() { domains.append(try EdgeDomain(item)) }
        guard !domains.isEmpty else { throw try top.required("edgeDomains").error("at least one edge domain is needed") }
        edgeDomains = domains
    }
}

extension YAMLField {
    /// The root of a YAML document; an empty or malformed one is an error naming the line.
    public static func document(_ yaml: String) throws(PlanParseError) -> YAMLField {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw PlanParseError(line: nil, field: "", message: "the file is empty")
            }
            return YAMLField(node: node, path: "")
        } catch let error as PlanParseError {
            throw error
        } catch {
            throw parseError(from: error)
        }
    }

    /// libyaml's scanner, parser and composer errors carry a mark; keep its line.
    private static func parseError(from error: any Error) -> PlanParseError {
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return PlanParseError(line: mark.line, field: "", message: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PlanParseError(line: context.mark.line, field: "",
                                  message: "duplicate key \(duplicates.joined(separator: ", ")) in a mapping")
        default:
            return PlanParseError(line: nil, field: "", message: "not valid YAML: \(error)")
        }
    }
}

/// Counts that plan sizes: at most a million of anything per node or cluster.
private let countRange = 0...1_000_000

extension Plan.VPC {
    init(_ field: YAMLField) throws(PlanParseError) {
        let map = try field.mapping(allowing: ["cidrs", "vSwitches", "cloudNodes", "podsPerCloudNode"])
        cidrs = try map.required("cidrs").nonEmptyPrefixes()
        var switches: [Plan.VSwitch] = []
        for item in try map.required("vSwitches").list() {
            let vsw = try item.mapping(allowing: ["name", "cidrs"])
            switches.append(Plan.VSwitch(name: try vsw.required("name").string(), cidrs: try vsw.required("cidrs").nonEmptyPrefixes()))
        }
        guard !switches.isEmpty else { throw try map.required("vSwitches").error("at least one vSwitch is needed") }
        vSwitches = switches
        cloudNodes = try map.required("cloudNodes").integer(in: countRange)
        podsPerCloudNode = try map.required("podsPerCloudNode").integer(in: countRange)
    }
}

extension Plan.Services {
    init(_ field: YAMLField) throws(PlanParseError) {
        let map = try field.mapping(allowing: ["cidrs", "expectedServices"])
        cidrs = try map.required("cidrs").nonEmptyPrefixes()
        expectedServices = try map.required("expectedServices").integer(in: countRange)
    }
}

extension Plan.ExpressConnect {
    init(_ field: YAMLField) throws(PlanParseError) {
        let map = try field.mapping(allowing: ["links", "routeServiceCIDRs"])
        routeServiceCIDRs = try map.optional("routeServiceCIDRs")?.bool() ?? false
        var links: [Link] = []
        for item in try map.required("links").list() {
            let link = try item.mapping(allowing: ["cidr", "vbr", "dcRouter"])
            let parsed = Link(cidr: try link.required("cidr").prefix(), vbr: try link.required("vbr").address(),
                              dcRouter: try link.required("dcRouter").address())
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
    init(_ field: YAMLField) throws(PlanParseError) {
        let map = try field.mapping(allowing: ["name", "podCIDRs", "nodeSubnetLength", "nodeNetworks", "edgeNodes", "podsPerEdgeNode", "gateway"])
        self.field = field.path
        line = field.line
        name = try map.required("name").string()
        podCIDRs = try map.required("podCIDRs").nonEmptyPrefixes()
        let lengths = try map.required("nodeSubnetLength").mapping(allowing: ["ipv4", "ipv6"])
        var nodeSubnetLength: [IPFamily: PlanValue<Int>] = [:]
        for family in IPFamily.allCases {
            guard let length = lengths.optional(family.key) else { continue }
            nodeSubnetLength[family] = PlanValue(try length.integer(in: 0...family.bitWidth), at: length.location)
        }
        self.nodeSubnetLength = nodeSubnetLength
        nodeNetworks = try map.required("nodeNetworks").nonEmptyPrefixes()
        edgeNodes = try map.required("edgeNodes").integer(in: countRange)
        podsPerEdgeNode = try map.required("podsPerEdgeNode").integer(in: countRange)
        gateway = try Plan.Gateway(map.required("gateway"))
    }
}

extension Plan.Gateway {
    init(_ field: YAMLField) throws(PlanParseError) {
        let map = try field.mapping(allowing: ["addresses", "as", "nodesAS", "routerID", "password", "gtsm", "exportVPCRoutes"])
        var addresses: [PlanAddress] = []
        for item in try map.required("addresses").list() {
            let address = try item.address()
            guard !addresses.contains(where: { $0.address.family == address.address.family }) else {
                throw item.error("a second \(address.address.family) address; give one address per family")
            }
            addresses.append(address)
        }
        guard !addresses.isEmpty else { throw try map.required("addresses").error("at least one address is needed") }
        self.addresses = addresses
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
            // as one word, so spaces and quotes are refused rather than mangled.
            guard !text.isEmpty, text.utf8.count <= 80,
                  text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" })
            else { throw secret.error("the password must be 1 to 80 printable ASCII characters without spaces, quotes or backslashes") }
            password = text
        }
        gtsm = try map.optional("gtsm")?.bool() ?? false
        exportVPCRoutes = try map.optional("exportVPCRoutes")?.bool() ?? false
    }
}

extension IPFamily {
    /// The plan's key for per-family settings.
    var key: String { self == .v4 ? "ipv4" : "ipv6" }
}

extension YAMLField {
    public func nonEmptyPrefixes() throws(PlanParseError) -> [PlanBlock] {
        let blocks = try prefixes()
        guard !blocks.isEmpty else { throw error("at least one CIDR block is needed") }
        return blocks
    }
}
