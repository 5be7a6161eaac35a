import JSON

/// An ENI as `DescribeNetworkInterfaces` and `CreateNetworkInterface` show it.
public struct NetworkInterface: Sendable, Hashable {
    public var id: String
    /// `Available`, `Attaching`, `InUse`, `Detaching`, `Deleting`.
    public var status: String
    /// `Primary` or `Secondary`.
    public var type: String
    public var vpcId: String
    public var vSwitchId: String
    public var zoneId: String
    public var macAddress: String
    public var primaryIP: String
    /// Every private IPv4, the primary first.
    public var privateIPs: [String]
    public var ipv6s: [String]
    public var instanceId: String?
    public var securityGroupIds: [String]
    public var tags: [String: String]
    public var description: String

    public init(id: String, status: String, type: String, vpcId: String, vSwitchId: String, zoneId: String,
                macAddress: String, primaryIP: String, privateIPs: [String], ipv6s: [String], instanceId: String?,
                securityGroupIds: [String], tags: [String: String], description: String) {
        self.id = id
        self.status = status
        self.type = type
        self.vpcId = vpcId
        self.vSwitchId = vSwitchId
        self.zoneId = zoneId
        self.macAddress = macAddress
        self.primaryIP = primaryIP
        self.privateIPs = privateIPs
        self.ipv6s = ipv6s
        self.instanceId = instanceId
        self.securityGroupIds = securityGroupIds
        self.tags = tags
        self.description = description
    }

    /// The shape of the API reference (`NetworkInterfaceSet` item).
    public var json: JSONObject {
        var object = JSONObject()
        object["NetworkInterfaceId"] = .string(id)
        object["Status"] = .string(status)
        object["Type"] = .string(type)
        object["VpcId"] = .string(vpcId)
        object["VSwitchId"] = .string(vSwitchId)
        object["ZoneId"] = .string(zoneId)
        object["MacAddress"] = .string(macAddress)
        object["PrivateIpAddress"] = .string(primaryIP)
        object["InstanceId"] = .string(instanceId ?? "")
        object["Description"] = .string(description)
        object["PrivateIpSets"] = ["PrivateIpSet": .array(privateIPs.map {
            ["PrivateIpAddress": .string($0), "Primary": .bool($0 == primaryIP)]
        })]
        object["Ipv6Sets"] = ["Ipv6Set": .array(ipv6s.map { ["Ipv6Address": .string($0)] })]
        object["SecurityGroupIds"] = ["SecurityGroupId": .array(securityGroupIds.map { .string($0) })]
        object["Tags"] = ["Tag": .array(tags.keys.sorted().map { ["TagKey": .string($0), "TagValue": .string(tags[$0]!)] })]
        return object
    }

    public init(json object: JSONObject, action: String) throws(CloudResponseError) {
        let fields = FieldReader(object: object, action: action)
        id = try fields.string("NetworkInterfaceId")
        status = fields.optionalString("Status") ?? ""
        type = fields.optionalString("Type") ?? "Secondary"
        vpcId = fields.optionalString("VpcId") ?? ""
        vSwitchId = fields.optionalString("VSwitchId") ?? ""
        zoneId = fields.optionalString("ZoneId") ?? ""
        macAddress = fields.optionalString("MacAddress") ?? ""
        primaryIP = fields.optionalString("PrivateIpAddress") ?? ""
        instanceId = fields.optionalString("InstanceId")
        description = fields.optionalString("Description") ?? ""
        privateIPs = try fields.list("PrivateIpSets", "PrivateIpSet").map { (item: JSONValue) throws(CloudResponseError) -> String in
            try fields.nested(item, "PrivateIpSet item").string("PrivateIpAddress")
        }
        ipv6s = try fields.list("Ipv6Sets", "Ipv6Set").map { (item: JSONValue) throws(CloudResponseError) -> String in
            try fields.nested(item, "Ipv6Set item").string("Ipv6Address")
        }
        securityGroupIds = try fields.strings("SecurityGroupIds", "SecurityGroupId")
        var tags: [String: String] = [:]
        for item in try fields.list("Tags", "Tag") {
            let tag = try fields.nested(item, "Tag item")
            tags[try tag.string("TagKey")] = tag.optionalString("TagValue") ?? ""
        }
        self.tags = tags
    }
}

/// One page of `DescribeNetworkInterfaces`.
public struct NetworkInterfacePage: Sendable, Hashable {
    public var interfaces: [NetworkInterface]
    /// Empty on the last page.
    public var nextToken: String
    public var totalCount: Int

    public init(interfaces: [NetworkInterface], nextToken: String, totalCount: Int) {
        self.interfaces = interfaces
        self.nextToken = nextToken
        self.totalCount = totalCount
    }

    public func json(requestId: String) -> JSONObject {
        var object = JSONObject()
        object["RequestId"] = .string(requestId)
        object["NextToken"] = .string(nextToken)
        object["TotalCount"] = .integer(Int64(totalCount))
        object["NetworkInterfaceSets"] = ["NetworkInterfaceSet": .array(interfaces.map { .object($0.json) })]
        return object
    }

    public init(json object: JSONObject, action: String) throws(CloudResponseError) {
        let fields = FieldReader(object: object, action: action)
        interfaces = try fields.list("NetworkInterfaceSets", "NetworkInterfaceSet").map { (item: JSONValue) throws(CloudResponseError) -> NetworkInterface in
            try NetworkInterface(json: try fields.nested(item, "NetworkInterfaceSet item").object, action: action)
        }
        nextToken = fields.optionalString("NextToken") ?? ""
        totalCount = (try? fields.int("TotalCount")) ?? interfaces.count
    }
}
