import CNI
import JSON
import NetworkCore

/// The file the node agent writes with the node's lease, named by `subnetFile`:
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
            subnets = try EdgeConfig.subnets(.array(try object.require("subnets", object.array)), field: "subnets")
            mtu = try object.integer("mtu", in: 576...65535)
        } catch {
            throw CNIError(error.code, "subnet file \(path): \(error.msg)", details: error.details)
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["subnets"] = .array(subnets.map { .string($0.description) })
        if let mtu { object["mtu"] = .integer(Int64(mtu)) }
        return .object(object)
    }
}
