import CNI
import CNIProtocol
import JSON
import NetworkCore

/// The plugin's configuration, validated: everything ADD needs, read from the network config
/// and, when it names one, the node agent's subnet file.
///
/// The node's addresses come from one of three places: `subnet` (one CIDR per family),
/// `subnetFile` (written by the node agent), or an `ipam` section in host-local's shape,
/// so that a flannel-generated `bridge` + `host-local` config works by changing its `type`.
public struct EdgeConfig: Sendable {
    public static let pluginType = "terway-edge-cni"
    public static let defaultBridge = "cni0"
    /// On tmpfs: reservations describe pod network namespaces, which a reboot ends too, so a
    /// store that a reboot empties never leaks addresses of pods that died with the node
    /// (host-local's store under /var/lib does), and a reservation's fsync costs no journal
    /// commit.
    public static let defaultDataDirectory = "/run/terway-edge/ipam"
    public static let defaultMTU = 1500
    /// IPv6 needs links of at least 1280 bytes (RFC 8200 §5).
    public static let minimumIPv6MTU = 1280

    /// Where pods of one family get addresses: a subnet, its gateway (held by the bridge),
    /// and optionally host-local's `rangeStart`/`rangeEnd` inside it.
    public struct AddressRange: Hashable, Sendable {
        public var subnet: IPPrefix
        public var gateway: IPAddress
        public var rangeStart: IPAddress?
        public var rangeEnd: IPAddress?

        public var gatewayAddress: InterfaceAddress { InterfaceAddress(address: gateway, prefixLength: subnet.length)! }
    }

    public var network: NetworkConfig
    /// IPv4 ranges first; several of one family are tried in order (host-local's range sets).
    public var ranges: [AddressRange]
    public var bridge: String
    public var mtu: Int
    public var hairpin: Bool
    /// Replace global addresses on the bridge that are not our gateways (reference `bridge`).
    public var forceAddress: Bool
    public var dataDirectory: String
    /// Blocks inside the node subnets that pods never get (addresses kept for other uses).
    public var exclusions: [IPPrefix]
    /// Routes inside the pod; a nil gateway means the gateway of the pod's range of that family.
    public var routes: [(destination: IPPrefix, gateway: IPAddress?)]
    /// Passed through to the Result for the runtime to write the pod's resolv.conf.
    public var dns: CNIResult.DNS?

    /// Keys the reference `bridge` gives meaning to and this plugin does not implement, with
    /// the value that asks for nothing (which is accepted); any other value is the spec's
    /// "unsupported field" (code 2), whose message must name the key and the value.
    static let unimplementedBridgeKeys: [(key: String, harmless: JSONValue?)] = [
        ("ipMasq", false), ("isGateway", true), ("promiscMode", false), ("vlan", 0), ("vlanTrunk", nil),
        ("macspoofchk", false), ("disableContainerInterface", false), ("preserveDefaultVlan", nil),
        ("enabledad", nil),
    ]

    /// Reads and validates the config. Problems are code 7 with the field at fault; a subnet
    /// file that does not exist (yet) is code 11, since the node agent writes it soon after start.
    public init(_ network: NetworkConfig, readFile: (String) throws(CNIError) -> [UInt8]? = EdgeConfig.readFile) throws(CNIError) {
        self.network = network
        let raw = network.raw
        dataDirectory = try Self.checkedDataDirectory(network)
        for (key, harmless) in Self.unimplementedBridgeKeys {
            guard let value = raw[key], !value.isNull, value != harmless else { continue }
            throw CNIError(.unsupportedField, "field \"\(key)\": \(value.serialized()) is not implemented by \(Self.pluginType)",
                           details: "remove it" + (harmless.map { " or set it to \($0.serialized())" } ?? "")
                               + "; the node agent masquerades and routes for the node")
        }
        bridge = try raw.string("bridge") ?? Self.defaultBridge
        if let problem = LinkName.problem(with: bridge) {
            throw CNIError(.invalidNetworkConfig, "field \"bridge\": \"\(bridge)\" \(problem)")
        }
        hairpin = try raw.bool("hairpinMode") ?? true
        forceAddress = try raw.bool("forceAddress") ?? false

        dns = try raw.object("dns").map { dns throws(CNIError) in try CNIResult.DNS(json: dns) }
        var fileMTU: Int?
        var ipamRoutes: [JSONValue]?
        let sources = [raw["subnet"], raw["subnetFile"], raw["ipam"]].filter { $0.map { !$0.isNull } ?? false }.count
        guard sources == 1 else {
            throw CNIError(.invalidNetworkConfig, sources == 0 ? "no node subnet" : "more than one of \"subnet\", \"subnetFile\" and \"ipam\" is set",
                           details: "set one: \"subnet\" (a CIDR or a list of one IPv4 and one IPv6 CIDR), \"subnetFile\", or a host-local \"ipam\" section")
        }
        if let value = raw["subnet"], !value.isNull {
            ranges = try SubnetFile.subnets(value, field: "subnet").map(Self.wholeSubnet)
        } else if let path = try raw.string("subnetFile") {
            guard let bytes = try readFile(path) else {
                throw CNIError(.tryAgainLater, "subnet file \(path) does not exist yet",
                               details: "the node agent writes it once the node has a subnet lease")
            }
            let file = try SubnetFile(bytes: bytes, path: path)
            ranges = file.subnets.map(Self.wholeSubnet)
            fileMTU = file.mtu
        } else {
            let ipam = try raw.require("ipam", raw.object)
            ranges = try Self.hostLocalRanges(ipam)
            ipamRoutes = try ipam.array("routes")
        }
        mtu = try raw.integer("mtu", in: 576...65535) ?? fileMTU ?? Self.defaultMTU
        if mtu < Self.minimumIPv6MTU, let v6 = ranges.first(where: { $0.subnet.family == .v6 }) {
            throw CNIError(.invalidNetworkConfig, "mtu \(mtu) is below \(Self.minimumIPv6MTU), the least IPv6 allows, with IPv6 subnet \(v6.subnet)",
                           details: "raise \"mtu\" to at least \(Self.minimumIPv6MTU) or drop the IPv6 subnet")
        }

        exclusions = []
        for text in try raw.stringArray("exclude") ?? [] {
            let prefix: IPPrefix
            do { prefix = try IPPrefix(parsing: text) } catch {
                throw CNIError(.invalidNetworkConfig, "field \"exclude\": \(error)")
            }
            guard ranges.contains(where: { $0.subnet.contains(prefix) }) else {
                throw CNIError(.invalidNetworkConfig, "field \"exclude\": \(prefix) is not inside a node subnet")
            }
            exclusions.append(prefix)
        }

        // Native shape: `routes`, else a default route per family. host-local shape: the
        // ipam routes, plus the default routes when `isDefaultGateway` (as the reference).
        let isDefaultGateway = try raw.bool("isDefaultGateway")
        let listed = try raw.array("routes") ?? ipamRoutes
        let ranges = ranges
        var routes = try (listed ?? []).map { item throws(CNIError) in try Self.route(item, ranges: ranges) }
        if isDefaultGateway ?? (listed == nil && raw["ipam"] == nil) {
            for family in [IPFamily.v4, .v6] where ranges.contains(where: { $0.subnet.family == family })
                && !routes.contains(where: { $0.destination.family == family && $0.destination.length == 0 }) {
                routes.append((IPPrefix.defaultRoute(family), nil))
            }
        }
        self.routes = routes
    }

    private static func wholeSubnet(_ subnet: IPPrefix) -> AddressRange {
        AddressRange(subnet: subnet, gateway: subnet.address(at: 1)!)
    }

    private static func route(_ item: JSONValue, ranges: [AddressRange]) throws(CNIError) -> (destination: IPPrefix, gateway: IPAddress?) {
        let route = try item.requireObject(what: "route")
        let dst = try route.require("dst", route.string)
        let prefix: IPPrefix
        do { prefix = try IPPrefix(parsing: dst) } catch {
            throw CNIError(.invalidNetworkConfig, "route dst: \(error)")
        }
        guard ranges.contains(where: { $0.subnet.family == prefix.family }) else {
            throw CNIError(.invalidNetworkConfig, "route \(prefix) has no node subnet of its family")
        }
        guard let gw = try route.string("gw") else { return (prefix, nil) }
        guard let address = IPAddress(gw), address.family == prefix.family else {
            throw CNIError(.invalidNetworkConfig, "route \(prefix) gw \"\(gw)\" is not an address of its family")
        }
        return (prefix, address)
    }

    /// host-local's `ranges` (a list of range sets, each a list of ranges) or its older
    /// single `subnet` with `rangeStart`, `rangeEnd` and `gateway` beside it.
    static func hostLocalRanges(_ ipam: JSONObject) throws(CNIError) -> [AddressRange] {
        let type = try ipam.string("type") ?? ""
        guard type == "host-local" else {
            throw CNIError(.invalidNetworkConfig, "ipam type \"\(type)\" is not supported",
                           details: "\(pluginType) allocates node-locally like host-local: use \"type\": \"host-local\", or \"subnet\"")
        }
        var sets: [[JSONValue]] = []
        if let list = try ipam.array("ranges") {
            for set in list {
                guard let ranges = set.arrayValue, !ranges.isEmpty else {
                    throw CNIError(.invalidNetworkConfig, "ipam \"ranges\" must hold non-empty lists of ranges, found \(set.serialized())")
                }
                sets.append(ranges)
            }
        } else if ipam["subnet"] != nil {
            sets = [[.object(ipam)]]
        }
        guard !sets.isEmpty else {
            throw CNIError(.invalidNetworkConfig, "ipam has no \"ranges\"", details: "give \"ranges\": [[{\"subnet\": \"10.244.1.0/24\"}]]")
        }
        var result: [AddressRange] = []
        for set in sets {
            var family: IPFamily?
            for item in set {
                let object = try item.requireObject(what: "ipam range")
                let subnet = try SubnetFile.subnets(.string(try object.require("subnet", object.string)), field: "ipam subnet")[0]
                guard family == nil || family == subnet.family else {
                    throw CNIError(.invalidNetworkConfig, "ipam range set mixes IPv4 and IPv6 (\(subnet))", details: "one range set per family")
                }
                guard !result.contains(where: { $0.subnet.family == subnet.family }) || family != nil else {
                    throw CNIError(.invalidNetworkConfig, "two ipam range sets of \(subnet.family)", details: "one range set per family; put several ranges into it")
                }
                family = subnet.family
                var range = wholeSubnet(subnet)
                if let gateway = try address(object, "gateway", in: subnet) { range.gateway = gateway }
                range.rangeStart = try address(object, "rangeStart", in: subnet)
                range.rangeEnd = try address(object, "rangeEnd", in: subnet)
                guard !result.contains(where: { $0.subnet.overlaps(subnet) }) else {
                    throw CNIError(.invalidNetworkConfig, "ipam range \(subnet) overlaps another range")
                }
                result.append(range)
            }
        }
        return result.sorted { $0.subnet.family == .v4 && $1.subnet.family == .v6 }
    }

    private static func address(_ object: JSONObject, _ key: String, in subnet: IPPrefix) throws(CNIError) -> IPAddress? {
        guard let text = try object.string(key) else { return nil }
        guard let address = IPAddress(text), subnet.contains(address) else {
            throw CNIError(.invalidNetworkConfig, "ipam \"\(key)\" \"\(text)\" is not an address of \(subnet)")
        }
        return address
    }

    /// Checks type, mode and `dataDir` only, and returns `dataDir`. DEL and GC need nothing
    /// more, so that they still free addresses when the subnet file is gone or broken.
    static func checkedDataDirectory(_ network: NetworkConfig) throws(CNIError) -> String {
        let raw = network.raw
        guard network.type == Self.pluginType else {
            throw CNIError(.invalidNetworkConfig, "config type \"\(network.type)\" is not \(Self.pluginType)")
        }
        let mode = try raw.string("mode") ?? "edge"
        guard mode == "edge" else {
            throw CNIError(.invalidNetworkConfig, "mode \"\(mode)\" is not supported",
                           details: "\(Self.pluginType) implements mode \"edge\" (the default) and \"cloud\"")
        }
        return try dataDirectory(raw)
    }

    private static func dataDirectory(_ raw: JSONObject) throws(CNIError) -> String {
        let directory = try raw.string("dataDir") ?? Self.defaultDataDirectory
        guard directory.hasPrefix("/"), !directory.split(separator: "/").contains("..") else {
            throw CNIError(.invalidNetworkConfig, "field \"dataDir\" \"\(directory)\" must be an absolute path without '..'")
        }
        return directory
    }

    /// Reservations live in `dataDir/<network name>`, so two networks never share addresses.
    static func storeDirectory(_ network: NetworkConfig) throws(CNIError) -> String {
        try checkedDataDirectory(network) + "/" + network.name
    }

    /// DEL's reading: only `dataDir` and the network name, whatever else the config says
    /// now; nil when `dataDir` could never have held a store (ADD refuses such a config).
    static func deletionStoreDirectory(_ network: NetworkConfig) -> String? {
        guard let directory = try? dataDirectory(network.raw) else { return nil }
        return directory + "/" + network.name
    }

    /// The node subnets, IPv4 first.
    public var subnets: [IPPrefix] { ranges.map(\.subnet) }

    /// The gateway of each range, all held by the bridge.
    public var gateways: [InterfaceAddress] { ranges.map(\.gatewayAddress) }

    public var storeDirectory: String { dataDirectory + "/" + network.name }
}
