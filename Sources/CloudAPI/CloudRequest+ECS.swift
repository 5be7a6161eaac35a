/// The ECS 2014-05-26 actions the cloud role uses, with the parameter names of the API
/// reference.
extension CloudRequest {
    public static func createNetworkInterface(region: String, vSwitchId: String, securityGroupIds: [String],
                                              secondaryPrivateIPCount: Int = 0, ipv6Count: Int = 0,
                                              description: String = "", tags: [String: String] = [:]) -> CloudRequest {
        var request = CloudRequest(service: .ecs, action: "CreateNetworkInterface",
                                   parameters: ["RegionId": region, "VSwitchId": vSwitchId], takesClientToken: true)
        request.setList("SecurityGroupIds", securityGroupIds)
        if secondaryPrivateIPCount > 0 { request.parameters["SecondaryPrivateIpAddressCount"] = String(secondaryPrivateIPCount) }
        if ipv6Count > 0 { request.parameters["Ipv6AddressCount"] = String(ipv6Count) }
        if !description.isEmpty { request.parameters["Description"] = description }
        request.setTags(tags)
        return request
    }

    public static func attachNetworkInterface(region: String, eniId: String, instanceId: String) -> CloudRequest {
        CloudRequest(service: .ecs, action: "AttachNetworkInterface",
                     parameters: ["RegionId": region, "NetworkInterfaceId": eniId, "InstanceId": instanceId])
    }

    public static func detachNetworkInterface(region: String, eniId: String, instanceId: String) -> CloudRequest {
        CloudRequest(service: .ecs, action: "DetachNetworkInterface",
                     parameters: ["RegionId": region, "NetworkInterfaceId": eniId, "InstanceId": instanceId])
    }

    public static func deleteNetworkInterface(region: String, eniId: String) -> CloudRequest {
        CloudRequest(service: .ecs, action: "DeleteNetworkInterface", parameters: ["RegionId": region, "NetworkInterfaceId": eniId])
    }

    /// One page; `nextToken` empty for the first.
    public static func describeNetworkInterfaces(region: String, instanceId: String? = nil, eniIds: [String] = [],
                                                 tags: [String: String] = [:], maxResults: Int = 100,
                                                 nextToken: String = "") -> CloudRequest {
        var request = CloudRequest(service: .ecs, action: "DescribeNetworkInterfaces",
                                   parameters: ["RegionId": region, "MaxResults": String(maxResults)])
        if let instanceId { request.parameters["InstanceId"] = instanceId }
        request.setList("NetworkInterfaceId", eniIds)
        request.setTags(tags)
        if !nextToken.isEmpty { request.parameters["NextToken"] = nextToken }
        return request
    }

    /// `count` new secondary addresses chosen by the service, or exactly `addresses`.
    public static func assignPrivateIpAddresses(region: String, eniId: String, count: Int = 0, addresses: [String] = []) -> CloudRequest {
        var request = CloudRequest(service: .ecs, action: "AssignPrivateIpAddresses",
                                   parameters: ["RegionId": region, "NetworkInterfaceId": eniId], takesClientToken: true)
        if addresses.isEmpty { request.parameters["SecondaryPrivateIpAddressCount"] = String(count) }
        request.setList("PrivateIpAddress", addresses)
        return request
    }

    public static func unassignPrivateIpAddresses(region: String, eniId: String, addresses: [String]) -> CloudRequest {
        var request = CloudRequest(service: .ecs, action: "UnassignPrivateIpAddresses",
                                   parameters: ["RegionId": region, "NetworkInterfaceId": eniId])
        request.setList("PrivateIpAddress", addresses)
        return request
    }

    public static func assignIpv6Addresses(region: String, eniId: String, count: Int = 0, addresses: [String] = []) -> CloudRequest {
        var request = CloudRequest(service: .ecs, action: "AssignIpv6Addresses",
                                   parameters: ["RegionId": region, "NetworkInterfaceId": eniId], takesClientToken: true)
        if addresses.isEmpty { request.parameters["Ipv6AddressCount"] = String(count) }
        request.setList("Ipv6Address", addresses)
        return request
    }

    public static func unassignIpv6Addresses(region: String, eniId: String, addresses: [String]) -> CloudRequest {
        var request = CloudRequest(service: .ecs, action: "UnassignIpv6Addresses",
                                   parameters: ["RegionId": region, "NetworkInterfaceId": eniId])
        request.setList("Ipv6Address", addresses)
        return request
    }

    public static func describeInstanceTypes(_ types: [String]) -> CloudRequest {
        var request = CloudRequest(service: .ecs, action: "DescribeInstanceTypes")
        request.setList("InstanceTypes", types)
        return request
    }

    /// VPC 2016-04-28: the vSwitches of a VPC (or the named ones) with their free addresses.
    public static func describeVSwitches(region: String, vpcId: String? = nil, vSwitchId: String? = nil,
                                         pageNumber: Int = 1, pageSize: Int = 50) -> CloudRequest {
        var request = CloudRequest(service: .vpc, action: "DescribeVSwitches",
                                   parameters: ["RegionId": region, "PageNumber": String(pageNumber), "PageSize": String(pageSize)])
        if let vpcId { request.parameters["VpcId"] = vpcId }
        if let vSwitchId { request.parameters["VSwitchId"] = vSwitchId }
        return request
    }

    mutating func setTags(_ tags: [String: String]) {
        for (index, key) in tags.keys.sorted().enumerated() {
            parameters["Tag.\(index + 1).Key"] = key
            parameters["Tag.\(index + 1).Value"] = tags[key]
        }
    }
}
