import CNI
import CNIProtocol
import JSON
import NetworkCore

/// The plugin's configuration, validated: everything ADD needs, read from the network config
/// and, when it names one, the node agent's subnet file.
public struct EdgeConfig: Sendable {
    public static let pluginType = "terway-edge-cni"
    public static let defaultBridge = "cni0"
    /// On tmpfs: reservations describe pod network namespaces, which a reboot ends too, so a
    /// store that a reboot empties never leaks addresses of pods that died with the node
    /// (host-local's store under /var/lib does), and a reservation's fsync costs no journal
    /// commit.
    public static let defaultDataDirectory = "/run/terway-edge/ipam"
    public static let defaultMTU = 1500

    public var network: NetworkConfig
    /// At most one IPv4 and one IPv6 node subnet, IPv4 first.
    public var subnets: [IPPrefix]
    public var bridge: String
    public var mtu: Int
    public var hairpin: Bool
    public var dataDirectory: String
    /// Blocks inside the node subnets that pods never get (addresses kept for other uses).
    public var exclusions: [IPPrefix]
    /// Routes inside the pod; a nil gateway means the gateway of the route's family.
    public var routes: [(destination: IPPrefix, gateway: IPAddress?)]
    /// Passed through to the Result for the runtime to write the pod's resolv.conf.
    public var dns: CNIResult.DNS?

    /// Reads and validates the config. Problems are code 7 with the field at fault; a subnet
    /// file that does not exist (yet) is code 11, since the node agent writes it soon after start.
    public init(_ network: NetworkConfig, readFile: (String) throws(CNIError) -> [UInt8]? = EdgeConfig.readFile) throws(CNIError) {
        self.network = network
        let raw = network.raw
        dataDirectory = try Self.checkedDataDirectory(network)
        bridge = try raw.string("bridge") ?? Self.defaultBridge
        do { try CNIValidation.checkInterfaceName(bridge) } catch {
            throw CNIError(.invalidNetworkConfig, "field \"bridge\": \(error.msg)", details: error.details)
        }
        hairpin = try raw.bool("hairpinMode") ?? true

        dns = try raw.object("dns").map { dns throws(CNIError) in try CNIResult.DNS(json: dns) }
        var fileMTU: Int?
        switch (raw["subnet"].flatMap { $0.isNull ? nil : $0 }, try raw.string("subnetFile")) {
        case (nil, nil):
            throw CNIError(.invalidNetworkConfig, "no node subnet", details: "set \"subnet\" (a CIDR or a list of one IPv4 and one IPv6 CIDR) or \"subnetFile\"")
        case (.some, .some):
            throw CNIError(.invalidNetworkConfig, "both \"subnet\" and \"subnetFile\" are set", details: "keep one")
        case (.some(let value), nil):
            subnets = try SubnetFile.subnets(value, field: "subnet")
        case (nil, .some(let path)):
            guard let bytes = try readFile(path) else {
                throw CNIError(.tryAgainLater, "subnet file \(path) does not exist yet",
                               details: "the node agent writes it once the node has a subnet lease")
            }
            let file = try SubnetFile(bytes: bytes, path: path)
            subnets = file.subnets
            fileMTU = file.mtu
        }
        mtu = try raw.integer("mtu", in: 576...65535) ?? fileMTU ?? Self.defaultMTU

        exclusions = []
        for text in try raw.stringArray("exclude") ?? [] {
            let prefix: IPPrefix
            do { prefix = try IPPrefix(parsing: text) } catch {
                throw CNIError(.invalidNetworkConfig, "field \"exclude\": \(error)")
            }
            guard subnets.contains(where: { $0.contains(prefix) }) else {
                throw CNIError(.invalidNetworkConfig, "field \"exclude\": \(prefix) is not inside a node subnet")
            }
            exclusions.append(prefix)
        }

        routes = []
        if let list = try raw.array("routes") {
            for item in list {
                let route = try item.requireObject(what: "route")
                let dst = try route.require("dst", route.string)
                let prefix: IPPrefix
                do { prefix = try IPPrefix(parsing: dst) } catch {
                    throw CNIError(.invalidNetworkConfig, "route dst: \(error)")
                }
                guard subnets.contains(where: { $0.family == prefix.family }) else {
                    throw CNIError(.invalidNetworkConfig, "route \(prefix) has no node subnet of its family")
                }
                var gateway: IPAddress?
                if let gw = try route.string("gw") {
                    guard let address = IPAddress(gw), address.family == prefix.family else {
                        throw CNIError(.invalidNetworkConfig, "route \(prefix) gw \"\(gw)\" is not an address of its family")
                    }
                    gateway = address
                }
                routes.append((prefix, gateway))
            }
        } else {
            routes = subnets.map { (IPPrefix(network: $0.family == .v4 ? .v4(.init(0)) : .v6(.init(0)), length: 0)!, nil) }
        }
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
                           details: "this version of \(Self.pluginType) implements mode \"edge\" only")
        }
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

    /// The gateway of each subnet: its first usable address, held by the bridge.
    public var gateways: [InterfaceAddress] {
        subnets.map { InterfaceAddress(address: $0.address(at: 1)!, prefixLength: $0.length)! }
    }

    public var storeDirectory: String { dataDirectory + "/" + network.name }
}
