import BGPCore
import ConfigFile
import NetworkCore

extension BGPConfig {
    /// Parses and validates the YAML of `terway-edge bgp serve --config`.
    public init(yaml: String) throws(ConfigError) {
        var others: [String: ConfigNode] = [:]
        try self.init(yaml: yaml, otherKeys: [], others: &others)
    }

    /// The same, for a file that also holds other parts' settings: top-level keys in
    /// `otherKeys` (`bgp serve`'s `kernel`, which RouteSync reads) are handed back in
    /// `others` unread instead of being refused.
    public init(yaml: String, otherKeys: Set<String>, others: inout [String: ConfigNode]) throws(ConfigError) {
        let fields = try ConfigNode.document(yaml).mapping(
            allowing: ["localAS", "routerID", "listen", "controlSocket", "gracefulRestart", "peers", "originate",
                       "originateFile", "nextHops"] + otherKeys.sorted())
        for key in otherKeys {
            if let node = fields.optional(key) { others[key] = node }
        }

        localAS = try fields.required("localAS").integer(in: 1...UInt32.max)
        let routerIDNode = try fields.required("routerID")
        guard case .v4(let routerID) = try routerIDNode.address(), routerID.value != 0 else {
            throw routerIDNode.error("must be a non-zero IPv4 address")
        }
        self.routerID = routerID

        if let node = fields.optional("listen") {
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
            // [::]: one dual-stack socket for IPv6 peers and (IPv4-mapped) IPv4 ones.
            listen = SocketEndpoint(address: .v6(IPv6Address(0)), port: 179)
        }

        if let node = fields.optional("controlSocket") {
            let path = try node.string()
            guard path.hasPrefix("/"), path.utf8.count < 108 else {
                throw node.error("must be an absolute path shorter than 108 bytes")
            }
            controlSocket = path
        } else {
            controlSocket = "/run/terway-edge/bgp.sock"
        }

        if let node = fields.optional("gracefulRestart") {
            let gr = try node.mapping(allowing: ["restartTime", "selectionDeferral"])
            let time: UInt16 = try gr.optional("restartTime")?.integer(in: 1...4095) ?? 120
            let deferral: UInt16? = try gr.optional("selectionDeferral")?.integer(in: 1...time)
            gracefulRestart = GracefulRestartConfig(restartTime: time, selectionDeferral: deferral)
        } else {
            gracefulRestart = nil
        }

        peers = []
        for node in try fields.optional("peers")?.list() ?? [] {
            let peer = try PeerConfig(node: node)
            if peers.contains(where: { $0.address == peer.address }) {
                throw ConfigError(line: node.line, field: "\(node.path).address", "\(peer.address) is configured twice")
            }
            peers.append(peer)
        }

        originate = []
        var seen = PrefixSet()
        for node in try fields.optional("originate")?.list() ?? [] {
            let route = try OriginateConfig(node: node)
            guard seen.insert(route.prefix) else {
                throw ConfigError(line: node.line, field: "\(node.path).prefix", "\(route.prefix) is originated twice")
            }
            originate.append(route)
        }
        originateFile = try fields.optional("originateFile")?.string()
        if let node = fields.optional("nextHops") {
            let hops = try node.mapping(allowing: ["resolve", "table", "resolveViaDefault", "resyncInterval"])
            nextHops.resolve = try hops.optional("resolve")?.bool() ?? true
            if let tableNode = hops.optional("table") {
                let table: UInt32 = try tableNode.integer(in: 1...UInt32.max)
                // 255 is `local`: the host's own addresses, no next hop resolves there.
                guard table != 255 else { throw tableNode.error("must not be 255 (the local table)") }
                nextHops.table = table
            }
            nextHops.resolveViaDefault = try hops.optional("resolveViaDefault")?.bool() ?? false
            if let resync = hops.optional("resyncInterval") {
                nextHops.resyncInterval = .seconds(try resync.integer(in: 1...86400) as Int)
            }
        }
    }
}

extension PeerConfig {
    fileprivate init(node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowing: [
            "address", "port", "as", "passive", "holdTime", "connectRetryTime", "password", "maxPrefixes",
            "ttlSecurity", "families", "exportLearned", "localAddress", "otherFamilyNextHop", "import", "export",
            "multihop", "minHoldTime", "sendHoldTime",
        ])
        address = try fields.required("address").address()
        remoteAS = try fields.required("as").integer(in: 1...UInt32.max)
        port = try fields.optional("port")?.integer(in: 1...65535) ?? 179
        passive = try fields.optional("passive")?.bool() ?? false
        if let holdNode = fields.optional("holdTime") {
            let hold: UInt16 = try holdNode.integer(in: 0...65535)
            // RFC 4271 4.2: the hold time is zero or at least three seconds.
            guard hold == 0 || hold >= 3 else { throw holdNode.error("must be 0 or 3..65535") }
            holdTime = hold
        } else {
            holdTime = 90
        }
        connectRetryTime = try fields.optional("connectRetryTime")?.integer(in: 1...65535) ?? 120
        if let passwordNode = fields.optional("password") {
            let password = try passwordNode.string()
            // TCP_MD5SIG_MAXKEYLEN in linux/tcp.h.
            guard (1...80).contains(password.utf8.count) else { throw passwordNode.error("must be 1..80 bytes") }
            self.password = password
        } else {
            password = nil
        }
        prefixLimit = try fields.optional("maxPrefixes").map { (n) throws(ConfigError) in try PrefixLimit(node: n) } ?? PrefixLimit()
        ttlSecurity = try fields.optional("ttlSecurity")?.integer(in: 1...254)
        if let familiesNode = fields.optional("families") {
            var families: Set<IPFamily> = []
            for item in try familiesNode.list() {
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
        exportLearned = try fields.optional("exportLearned")?.bool() ?? false
        if let localNode = fields.optional("localAddress") {
            let local = try localNode.address()
            guard local.family == address.family else {
                throw localNode.error("must be of the same family as address")
            }
            localAddress = local
        } else {
            localAddress = nil
        }
        if let nextHopNode = fields.optional("otherFamilyNextHop") {
            let nextHop = try nextHopNode.address()
            guard nextHop.family != address.family else {
                throw nextHopNode.error("must be of the other family than address")
            }
            otherFamilyNextHop = nextHop
        } else {
            otherFamilyNextHop = nil
        }
        multihop = try fields.optional("multihop")?.integer(in: 1...255)
        if let multihopNode = fields.optional("multihop"), ttlSecurity != nil {
            throw multihopNode.error("cannot be combined with ttlSecurity (GTSM sends TTL 255)")
        }
        if let minNode = fields.optional("minHoldTime") {
            let minimum: UInt16 = try minNode.integer(in: 3...65535)
            guard holdTime != 0, minimum <= holdTime else { throw minNode.error("must be at most holdTime (which must not be 0)") }
            minHoldTime = minimum
        } else {
            minHoldTime = nil
        }
        sendHoldTime = try fields.optional("sendHoldTime")?.integer(in: 1...86400)
        importFilter = try fields.optional("import").map { (n) throws(ConfigError) in try PrefixFilter(node: n) }
        exportFilter = try fields.optional("export").map { (n) throws(ConfigError) in try PrefixFilter(node: n) }
    }
}

extension PrefixLimit {
    /// `maxPrefixes: N` (both families, stop), or `{ipv4: N, ipv6: M, action: stop|restart|warn, restartAfter: S}`.
    fileprivate init(node: ConfigNode) throws(ConfigError) {
        let range = 1...Int(Int32.max)
        guard case .mapping = node.node else {
            self.init(both: try node.integer(in: range))
            return
        }
        let fields = try node.mapping(allowing: ["ipv4", "ipv6", "action", "restartAfter"])
        self.init()
        if let n = fields.optional("ipv4") { ipv4 = try n.integer(in: range) }
        if let n = fields.optional("ipv6") { ipv6 = try n.integer(in: range) }
        if let n = fields.optional("action") {
            guard let action = Action(rawValue: try n.string()) else { throw n.error("must be stop, restart or warn") }
            self.action = action
        }
        if let n = fields.optional("restartAfter") {
            guard action == .restart else { throw n.error("needs action: restart") }
            restartAfter = try n.integer(in: 1...86400)
        }
    }
}

extension PrefixFilter {
    /// A list of entries (`any`, `10.0.0.0/16 le 24`, `reject 10.0.1.0/24 le 32`); an empty
    /// list is refused: it would mean "nothing", which leaving the key out already says.
    fileprivate init(node: ConfigNode) throws(ConfigError) {
        var entries: [Entry] = []
        for item in try node.list() {
            let text = try item.string()
            do throws(PrefixFilterError) {
                entries.append(try Entry(parsing: text))
            } catch {
                throw item.error("\(error): entries are `any` or PREFIX [ge N] [le M], optionally after `reject`")
            }
        }
        guard !entries.isEmpty else { throw node.error("must list at least one entry (leave it out to accept nothing)") }
        self.init(entries)
    }
}

extension OriginateConfig {
    fileprivate init(node: ConfigNode) throws(ConfigError) {
        let fields = try node.mapping(allowing: ["prefix", "communities"])
        prefix = try fields.required("prefix").prefix()
        communities = []
        for item in try fields.optional("communities")?.list() ?? [] {
            guard let community = Community(try item.string()) else {
                throw item.error("must be ASN:VALUE (each 0..65535) or no-export, no-advertise, no-export-subconfed, no-peer")
            }
            communities.append(community)
        }
    }
}
