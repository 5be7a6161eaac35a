import JSON
import NetworkCore

extension CNIResult {
    /// The Result as printed for `version`. Before 1.0.0 each IP carries `"version": "4"|"6"`;
    /// the interface `mtu`, `socketPath`, `pciID` and route attributes beyond dst/gw exist from 1.1.0.
    public func json(version: CNIVersion) -> JSONValue {
        var object = JSONObject()
        object["cniVersion"] = .string(version.description)
        let modern = version >= .v1_1_0
        if !interfaces.isEmpty {
            object["interfaces"] = .array(interfaces.map { i in
                var o = JSONObject()
                o["name"] = .string(i.name)
                if let mac = i.mac { o["mac"] = .string(mac) }
                if modern, let mtu = i.mtu { o["mtu"] = .integer(Int64(mtu)) }
                if let sandbox = i.sandbox { o["sandbox"] = .string(sandbox) }
                if modern, let socketPath = i.socketPath { o["socketPath"] = .string(socketPath) }
                if modern, let pciID = i.pciID { o["pciID"] = .string(pciID) }
                return .object(o)
            })
        }
        if !ips.isEmpty {
            object["ips"] = .array(ips.map { ip in
                var o = JSONObject()
                if version.usesLegacyResult { o["version"] = .string(ip.address.family == .v4 ? "4" : "6") }
                if let interface = ip.interface { o["interface"] = .integer(Int64(interface)) }
                o["address"] = .string(ip.address.description)
                if let gateway = ip.gateway { o["gateway"] = .string(gateway.description) }
                return .object(o)
            })
        }
        if !routes.isEmpty {
            object["routes"] = .array(routes.map { r in
                var o = JSONObject()
                o["dst"] = .string(r.destination.description)
                if let gw = r.gateway { o["gw"] = .string(gw.description) }
                if modern {
                    for (key, value) in [("mtu", r.mtu), ("advmss", r.advmss), ("priority", r.priority),
                                         ("table", r.table), ("scope", r.scope)] {
                        if let value { o[key] = .integer(Int64(value)) }
                    }
                }
                return .object(o)
            })
        }
        var dnsObject = JSONObject()
        if !dns.nameservers.isEmpty { dnsObject["nameservers"] = .array(dns.nameservers.map(JSONValue.string)) }
        if let domain = dns.domain { dnsObject["domain"] = .string(domain) }
        if !dns.search.isEmpty { dnsObject["search"] = .array(dns.search.map(JSONValue.string)) }
        if !dns.options.isEmpty { dnsObject["options"] = .array(dns.options.map(JSONValue.string)) }
        object["dns"] = .object(dnsObject)
        return .object(object)
    }

    /// Reads a Result of any supported version (a `prevResult`, or another plugin's output).
    /// Malformed content is an invalid config (code 7) naming the bad field.
    public init(json value: JSONValue) throws(CNIError) {
        let object = try value.requireObject(what: "result")
        var result = CNIResult()
        for item in try object.array("interfaces") ?? [] {
            let o = try item.requireObject(what: "result interface")
            result.interfaces.append(Interface(
                name: try o.require("name", o.string), mac: try o.string("mac"),
                mtu: try o.integer("mtu", in: 0...65535), sandbox: try o.string("sandbox"),
                socketPath: try o.string("socketPath"), pciID: try o.string("pciID")))
        }
        for item in try object.array("ips") ?? [] {
            let o = try item.requireObject(what: "result ip")
            let text = try o.require("address", o.string)
            guard let address = InterfaceAddress(text) else {
                throw CNIError(.invalidNetworkConfig, "result ip address \"\(text)\" is not address/length")
            }
            if let legacy = try o.string("version"), legacy != (address.family == .v4 ? "4" : "6") {
                throw CNIError(.invalidNetworkConfig, "result ip \(text) has version \"\(legacy)\" that does not match its family")
            }
            let interface = try o.integer("interface", in: 0...Int(Int32.max))
            if let interface, interface >= result.interfaces.count {
                throw CNIError(.invalidNetworkConfig, "result ip \(text) names interface \(interface) but only \(result.interfaces.count) are listed")
            }
            result.ips.append(IPConfig(address: address, gateway: try Self.address(o, "gateway"), interface: interface))
        }
        for item in try object.array("routes") ?? [] {
            let o = try item.requireObject(what: "result route")
            let dst = try o.require("dst", o.string)
            // Routes from other plugins are read leniently: host bits are masked, as the kernel does.
            guard let parsed = InterfaceAddress(dst) else {
                throw CNIError(.invalidNetworkConfig, "route dst \"\(dst)\" is not a CIDR")
            }
            result.routes.append(CNIRoute(
                destination: parsed.prefix, gateway: try Self.address(o, "gw"),
                mtu: try o.integer("mtu", in: 0...65535), advmss: try o.integer("advmss", in: 0...65535),
                priority: try o.integer("priority", in: 0...Int(UInt32.max)), table: try o.integer("table", in: 0...Int(UInt32.max)),
                scope: try o.integer("scope", in: 0...255)))
        }
        if let dns = try object.object("dns") { result.dns = try DNS(json: dns) }
        self = result
    }

    private static func address(_ object: JSONObject, _ key: String) throws(CNIError) -> IPAddress? {
        guard let text = try object.string(key) else { return nil }
        guard let address = IPAddress(text) else {
            throw CNIError(.invalidNetworkConfig, "field \"\(key)\" value \"\(text)\" is not an IP address")
        }
        return address
    }
}

extension CNIResult.DNS {
    public init(json object: JSONObject) throws(CNIError) {
        self.init(nameservers: try object.stringArray("nameservers") ?? [], domain: try object.string("domain"),
                  search: try object.stringArray("search") ?? [], options: try object.stringArray("options") ?? [])
    }
}
