import CNI
import JSON
import NetworkCore

/// The file the node agent writes with the node's lease and the plugin reads, named by
/// `subnetFile` in both configs:
///
///     {"subnets": ["10.0.3.0/24", "fd00:0:3::/64"], "mtu": 1450}
///
/// `subnets` holds one IPv4 and/or one IPv6 CIDR; `mtu` is optional (the config's `mtu`
/// wins when both are set). Unknown keys are ignored so that the agent may add fields.
public struct SubnetFile: Hashable, Sendable {
    public var subnets: [IPPrefix]
    public var mtu: Int?

    public init(subnets: [IPPrefix], mtu: Int? = nil) {
        self.subnets = subnets
        self.mtu = mtu
    }

    public init(bytes: [UInt8], path: String) throws(CNIError) {
        do throws(CNIError) {
            let value: JSONValue
            do { value = try JSONValue.parse(bytes) } catch {
                throw CNIError(.invalidNetworkConfig, "subnet file is not valid JSON", details: error.description)
            }
            let object = try value.requireObject(what: "subnet file")
            subnets = try Self.subnets(.array(try object.require("subnets", object.array)), field: "subnets")
            mtu = try object.integer("mtu", in: 576...65535)
        } catch {
            throw CNIError(error.code, "subnet file \(path): \(error.msg)", details: error.details)
        }
    }

    /// One CIDR or a list of them (dual stack: one per family), strictly parsed; shared with
    /// the plugin's own `subnet` field.
    public static func subnets(_ value: JSONValue, field: String) throws(CNIError) -> [IPPrefix] {
        let texts: [JSONValue] = value.arrayValue ?? [value]
        guard !texts.isEmpty else { throw CNIError(.invalidNetworkConfig, "field \"\(field)\" is empty") }
        var prefixes: [IPPrefix] = []
        for text in texts {
            guard let string = text.stringValue else {
                throw CNIError(.invalidNetworkConfig, "field \"\(field)\" must be a CIDR string or a list of them, found \(text.typeName)")
            }
            let prefix: IPPrefix
            do { prefix = try IPPrefix(parsing: string) } catch {
                throw CNIError(.invalidNetworkConfig, "field \"\(field)\": \(error)")
            }
            guard !prefixes.contains(where: { $0.family == prefix.family }) else {
                throw CNIError(.invalidNetworkConfig, "field \"\(field)\" has two \(prefix.family) subnets",
                               details: "give at most one IPv4 and one IPv6 subnet")
            }
            guard prefix.length <= prefix.family.bitWidth - 2 else {
                throw CNIError(.invalidNetworkConfig, "field \"\(field)\": subnet \(prefix) is too small for pods",
                               details: "use at most a /\(prefix.family.bitWidth - 2)")
            }
            prefixes.append(prefix)
        }
        return prefixes.sorted { $0.family == .v4 && $1.family == .v6 }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["subnets"] = .array(subnets.map { .string($0.description) })
        if let mtu { object["mtu"] = .integer(Int64(mtu)) }
        return .object(object)
    }
}
