import BGPCore
import NetworkCore
import Yams

extension BGPConfig {
    /// Parses and validates the YAML of `terway-edge bgp serve --config`.
    public init(yaml: String) throws(ConfigError) {
        var others: [String: Node] = [:]
        try self.init(yaml: yaml, otherKeys: [], others: &others)
    }

    /// The same, for a file that also holds other parts' settings: top-level keys in
    /// `otherKeys` (`bgp serve`'s `kernel`, which RouteSync reads) are handed back in
    /// `others` unread instead of being refused.
    public init(yaml: String, otherKeys: Set<String>, others: inout [String: Node]) throws(ConfigError) {
        let composed: Node?
        do {
            // `.basic`: no implicit typing; scalars are read from their text (ConfigNode), and
            // skipping the per-scalar regexes makes a million-route originate list 10x faster.
            composed = try Yams.compose(yaml: yaml, .basic)
        } catch {
            throw ConfigError(field: "", "not valid YAML: \(error)")
        }
        guard let composed else { throw ConfigError(field: "", "the configuration is empty") }
        let fields = try ConfigNode(node: composed, path: "").mapping(
            allowed: Set(["localAS", "routerID", "listen", "controlSocket", "gracefulRestart", "peers", "originate",
                          "originateFile"]).union(otherKeys))
        for key in otherKeys {
            if let node = fields[key] { others[key] = node.node }
        }
        func required(_ name: String) throws(ConfigError) -> ConfigNode {
            guard let field = fields[name] else { throw ConfigError(field: name, "is required") }
            return field
        }

        localAS = UInt32(try required("localAS").integer(in: 1...UInt64(UInt32.max)))
        let routerIDNode = try required("routerID")
        guard case .v4(let routerID) = try routerIDNode.address(), routerID.value != 0 else {
            throw routerIDNode.error("must be a non-zero IPv4 address")
        }
        self.routerID = routerID

        if let node = fields["listen"] {
            let text = try node.string()
            if ["false", "no", "off", "none"].contains(text.lowercased()) {
                listen = nil
            } else {
                guard let endpoint = SocketEndpoint(text) else {
                    throw node.error("must be ADDRESS:PORT, [IPV6]:PORT or an address (port 179)")
                }
                listen = endpoint
            }
        } else {
            listen = SocketEndpoint(address: .v4(IPv4Address(0)), port: 179)
        }

        if let node = fields["controlSocket"] {
            let path = try node.string()
            guard path.hasPrefix("/"), path.utf8.count < 108 else {
                throw node.error("must be an absolute path shorter than 108 bytes")
            }
            controlSocket = path
        } else {
            controlSocket = "/run/terway-edge/bgp.sock"
        }

        if let node = fields["gracefulRestart"] {
            let gr = try node.mapping(allowed: ["restartTime"])
            let time = try gr["restartTime"].map { (n) throws(ConfigError) in try n.integer(in: 1...4095) } ?? 120
            gracefulRestart = GracefulRestartConfig(restartTime: UInt16(time))
        } else {
            gracefulRestart = nil
        }

        peers = []
        for node in try fields["peers"]?.sequence() ?? [] {
            let peer = try PeerConfig(node: node)
            if peers.contains(where: { $0.address == peer.address }) {
                throw ConfigError(field: "\(node.path).address", "\(peer.address) is configured twice")
            }
            peers.append(peer)
        }

        originate = []
        var seen = PrefixSet()
        for node in try fields["originate"]?.sequence() ?? [] {
            let route = try OriginateConfig(node: node)
            guard seen.insert(route.prefix) else {
                throw ConfigError(field: "\(node.path).prefix", "\(route.prefix) is originated twice")
            }
            originate.append(route)
        }
        originateFile = try fields["originateFile"]?.string()
    }
}

extension PeerConfig {
    fileprivate init(node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowed: [
            "address", "port", "as", "passive", "holdTime", "connectRetryTime", "password", "maxPrefixes",
            "ttlSecurity", "families", "exportLearned", "localAddress", "otherFamilyNextHop",
        ])
        guard let addressNode = fields["address"] else { throw node.error("address is required") }
        guard let asNode = fields["as"] else { throw node.error("as is required") }
        address = try addressNode.address()
        remoteAS = UInt32(try asNode.integer(in: 1...UInt64(UInt32.max)))
        port = Int(try fields["port"]?.integer(in: 1...65535) ?? 179)
        passive = try fields["passive"]?.bool() ?? false
        if let holdNode = fields["holdTime"] {
            let hold = try holdNode.integer(in: 0...65535)
            // RFC 4271 4.2: the hold time is zero or at least three seconds.
            guard hold == 0 || hold >= 3 else { throw holdNode.error("must be 0 or 3..65535") }
            holdTime = UInt16(hold)
        } else {
            holdTime = 90
        }
        connectRetryTime = UInt16(try fields["connectRetryTime"]?.integer(in: 1...65535) ?? 120)
        if let passwordNode = fields["password"] {
            let password = try passwordNode.string()
            // TCP_MD5SIG_MAXKEYLEN in linux/tcp.h.
            guard (1...80).contains(password.utf8.count) else { throw passwordNode.error("must be 1..80 bytes") }
            self.password = password
        } else {
            password = nil
        }
        maxPrefixes = try fields["maxPrefixes"].map { (n) throws(ConfigError) in Int(try n.integer(in: 1...UInt64(Int32.max))) }
        ttlSecurity = try fields["ttlSecurity"].map { (n) throws(ConfigError) in Int(try n.integer(in: 1...254)) }
        if let familiesNode = fields["families"] {
            var families: Set<IPFamily> = []
            for item in try familiesNode.sequence() {
                switch try item.string().lowercased() {
                case "ipv4", "ipv4-unicast": families.insert(.v4)
                case "ipv6", "ipv6-unicast": families.insert(.v6)
                default: throw item.error("must be ipv4 or ipv6")
                }
            }
            guard !families.isEmpty else { throw familiesNode.error("must name at least one family") }
            self.families = families
        } else {
            families = [.v4, .v6]
        }
        exportLearned = try fields["exportLearned"]?.bool() ?? false
        if let localNode = fields["localAddress"] {
            let local = try localNode.address()
            guard local.family == address.family else {
                throw localNode.error("must be of the same family as address")
            }
            localAddress = local
        } else {
            localAddress = nil
        }
        if let nextHopNode = fields["otherFamilyNextHop"] {
            let nextHop = try nextHopNode.address()
            guard nextHop.family != address.family else {
                throw nextHopNode.error("must be of the other family than address")
            }
            otherFamilyNextHop = nextHop
        } else {
            otherFamilyNextHop = nil
        }
    }
}

extension OriginateConfig {
    fileprivate init(node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowed: ["prefix", "communities"])
        guard let prefixNode = fields["prefix"] else { throw node.error("prefix is required") }
        do {
            prefix = try IPPrefix(parsing: try prefixNode.string())
        } catch {
            throw prefixNode.error("\(error)")
        }
        communities = []
        for item in try fields["communities"]?.sequence() ?? [] {
            guard let community = Community(try item.string()) else {
                throw item.error("must be ASN:VALUE (each 0..65535) or no-export, no-advertise, no-export-subconfed, no-peer")
            }
            communities.append(community)
        }
    }
}
