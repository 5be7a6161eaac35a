import CNI
import CNIProtocol
import JSON

/// The configuration of `mode: cloud`: the pod's addresses come from the node agent
/// (`terway-edged`, role cloud) over its address socket, with the ENI they belong to.
///
///     {"cniVersion":"1.1.0","name":"vpc","type":"terway-edge-cni","mode":"cloud",
///      "socket":"/run/terway-edge/ip.sock","socketTimeout":60,"mtu":1500}
public struct CloudConfig: Sendable {
    public static let mode = "cloud"

    public var network: NetworkConfig
    /// The agent's address socket.
    public var socket: String
    /// Seconds one answer may take (a cold pool waits for the cloud to attach an ENI).
    public var socketTimeout: Int
    /// The pod's MTU; nil takes the ENI's from the grant (1500 when it has none).
    public var mtu: Int?
    public var dns: CNIResult.DNS?

    /// Keys of the edge mode that mean nothing here: addresses come from the agent. Refused
    /// as unsupported fields (code 2, naming key and value).
    static let edgeKeys = ["subnet", "subnetFile", "ipam", "bridge", "hairpinMode", "forceAddress", "exclude", "routes", "dataDir"]

    /// Whether `network` asks for this mode.
    static func isCloud(_ network: NetworkConfig) -> Bool {
        network.raw["mode"]?.stringValue == mode
    }

    public init(_ network: NetworkConfig) throws(CNIError) {
        self.network = network
        let raw = network.raw
        guard network.type == EdgeConfig.pluginType else {
            throw CNIError(.invalidNetworkConfig, "config type \"\(network.type)\" is not \(EdgeConfig.pluginType)")
        }
        if let key = Self.edgeKeys.first(where: { raw[$0] != nil && !(raw[$0]!.isNull) }) {
            throw CNIError(.unsupportedField, "field \"\(key)\": \(raw[key]!.serialized()) has no meaning in mode \"cloud\"",
                           details: "the node agent (terway-edged, role cloud) gives the pod its VPC addresses and routes; remove \"\(key)\"")
        }
        socket = try raw.string("socket") ?? PodAddressSocket.defaultPath
        guard socket.hasPrefix("/") else {
            throw CNIError(.invalidNetworkConfig, "field \"socket\" \"\(socket)\" must be an absolute path")
        }
        socketTimeout = try raw.integer("socketTimeout", in: 1...600) ?? 60
        mtu = try raw.integer("mtu", in: 576...65535)
        dns = try raw.object("dns").map { dns throws(CNIError) in try CNIResult.DNS(json: dns) }
    }

    var client: PodAddressClient { PodAddressClient(path: socket, timeoutSeconds: socketTimeout) }
}
