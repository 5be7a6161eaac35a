import JSON

/// `AssignPrivateIpAddresses` / `AssignIpv6Addresses`: the addresses the service chose.
public struct AssignedAddresses: Sendable, Hashable {
    public var networkInterfaceId: String
    public var addresses: [String]

    public init(networkInterfaceId: String, addresses: [String]) {
        self.networkInterfaceId = networkInterfaceId
        self.addresses = addresses
    }

    public func privateIPv4JSON(requestId: String) -> JSONObject {
        var set = JSONObject()
        set["NetworkInterfaceId"] = .string(networkInterfaceId)
        set["PrivateIpSet"] = ["PrivateIpAddress": .array(addresses.map { .string($0) })]
        var object = JSONObject()
        object["RequestId"] = .string(requestId)
        object["AssignedPrivateIpAddressesSet"] = .object(set)
        return object
    }

    public init(privateIPv4JSON object: JSONObject, action: String) throws(CloudResponseError) {
        let fields = FieldReader(object: object, action: action)
        guard let set = object["AssignedPrivateIpAddressesSet"] else {
            throw fields.error("AssignedPrivateIpAddressesSet: missing")
        }
        let inner = try fields.nested(set, "AssignedPrivateIpAddressesSet")
        networkInterfaceId = try inner.string("NetworkInterfaceId")
        addresses = try inner.strings("PrivateIpSet", "PrivateIpAddress")
    }

    public func ipv6JSON(requestId: String) -> JSONObject {
        var object = JSONObject()
        object["RequestId"] = .string(requestId)
        object["NetworkInterfaceId"] = .string(networkInterfaceId)
        object["Ipv6Sets"] = ["Ipv6Address": .array(addresses.map { .string($0) })]
        return object
    }

    public init(ipv6JSON object: JSONObject, action: String) throws(CloudResponseError) {
        let fields = FieldReader(object: object, action: action)
        networkInterfaceId = try fields.string("NetworkInterfaceId")
        addresses = try fields.strings("Ipv6Sets", "Ipv6Address")
    }
}

/// The network quotas of an instance type (`DescribeInstanceTypes`).
public struct InstanceTypeQuota: Sendable, Hashable, Codable {
    public var id: String
    public var eniQuantity: Int
    /// Private IPv4 addresses per ENI, the primary included.
    public var eniPrivateIpAddressQuantity: Int
    public var eniIpv6AddressQuantity: Int

    public init(id: String, eniQuantity: Int, eniPrivateIpAddressQuantity: Int, eniIpv6AddressQuantity: Int) {
        self.id = id
        self.eniQuantity = eniQuantity
        self.eniPrivateIpAddressQuantity = eniPrivateIpAddressQuantity
        self.eniIpv6AddressQuantity = eniIpv6AddressQuantity
    }

    public var json: JSONObject {
        var object = JSONObject()
        object["InstanceTypeId"] = .string(id)
        object["EniQuantity"] = .integer(Int64(eniQuantity))
        object["EniPrivateIpAddressQuantity"] = .integer(Int64(eniPrivateIpAddressQuantity))
        object["EniIpv6AddressQuantity"] = .integer(Int64(eniIpv6AddressQuantity))
        return object
    }

    public static func list(json object: JSONObject, action: String) throws(CloudResponseError) -> [InstanceTypeQuota] {
        let fields = FieldReader(object: object, action: action)
        return try fields.list("InstanceTypes", "InstanceType").map { (item: JSONValue) throws(CloudResponseError) -> InstanceTypeQuota in
            let type = try fields.nested(item, "InstanceType item")
            return InstanceTypeQuota(id: try type.string("InstanceTypeId"), eniQuantity: try type.int("EniQuantity"),
                                     eniPrivateIpAddressQuantity: try type.int("EniPrivateIpAddressQuantity"),
                                     eniIpv6AddressQuantity: (try? type.int("EniIpv6AddressQuantity")) ?? 0)
        }
    }
}

/// A vSwitch as `DescribeVSwitches` shows it, with its free addresses.
public struct VSwitchInfo: Sendable, Hashable {
    public var id: String
    public var vpcId: String
    public var zoneId: String
    public var cidrBlock: String
    public var availableIpAddressCount: Int

    public init(id: String, vpcId: String, zoneId: String, cidrBlock: String, availableIpAddressCount: Int) {
        self.id = id
        self.vpcId = vpcId
        self.zoneId = zoneId
        self.cidrBlock = cidrBlock
        self.availableIpAddressCount = availableIpAddressCount
    }

    public var json: JSONObject {
        var object = JSONObject()
        object["VSwitchId"] = .string(id)
        object["VpcId"] = .string(vpcId)
        object["ZoneId"] = .string(zoneId)
        object["CidrBlock"] = .string(cidrBlock)
        object["AvailableIpAddressCount"] = .integer(Int64(availableIpAddressCount))
        object["Status"] = "Available"
        return object
    }

    public static func list(json object: JSONObject, action: String) throws(CloudResponseError) -> [VSwitchInfo] {
        let fields = FieldReader(object: object, action: action)
        return try fields.list("VSwitches", "VSwitch").map { (item: JSONValue) throws(CloudResponseError) -> VSwitchInfo in
            let vsw = try fields.nested(item, "VSwitch item")
            return VSwitchInfo(id: try vsw.string("VSwitchId"), vpcId: vsw.optionalString("VpcId") ?? "",
                               zoneId: vsw.optionalString("ZoneId") ?? "", cidrBlock: try vsw.string("CidrBlock"),
                               availableIpAddressCount: try vsw.int("AvailableIpAddressCount"))
        }
    }
}
