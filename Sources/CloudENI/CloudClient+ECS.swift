import CloudAPI
import Foundation

/// The actions the cloud role uses, typed. Unassigning what is already gone and deleting
/// an ENI that no longer exists count as done, so a retried cleanup converges.
extension CloudClient {
    var region: String { config.region }

    public func createNetworkInterface(vSwitchId: String, securityGroupIds: [String], secondaryPrivateIPCount: Int = 0,
                                       description: String = "", tags: [String: String] = [:]) async throws -> NetworkInterface {
        let request = CloudRequest.createNetworkInterface(region: region, vSwitchId: vSwitchId, securityGroupIds: securityGroupIds,
                                                          secondaryPrivateIPCount: secondaryPrivateIPCount,
                                                          description: description, tags: tags)
        return try NetworkInterface(json: try await call(request), action: request.action)
    }

    public func attachNetworkInterface(_ eniId: String, to instanceId: String) async throws {
        _ = try await call(.attachNetworkInterface(region: region, eniId: eniId, instanceId: instanceId))
    }

    public func detachNetworkInterface(_ eniId: String, from instanceId: String) async throws {
        _ = try await call(.detachNetworkInterface(region: region, eniId: eniId, instanceId: instanceId))
    }

    public func deleteNetworkInterface(_ eniId: String) async throws {
        do {
            _ = try await call(.deleteNetworkInterface(region: region, eniId: eniId))
        } catch let error as CloudAPIError where error.code == "InvalidEniId.NotFound" {
            log("DeleteNetworkInterface: \(eniId) is already gone")
        }
    }

    /// Every page, following `NextToken`.
    public func describeNetworkInterfaces(instanceId: String? = nil, eniIds: [String] = [], tags: [String: String] = [:],
                                          pageSize: Int = 100) async throws -> [NetworkInterface] {
        var all: [NetworkInterface] = []
        var token = ""
        var seen = Set<String>()
        repeat {
            let request = CloudRequest.describeNetworkInterfaces(region: region, instanceId: instanceId, eniIds: eniIds,
                                                                 tags: tags, maxResults: pageSize, nextToken: token)
            let page = try NetworkInterfacePage(json: try await call(request), action: request.action)
            all += page.interfaces
            token = page.nextToken
            guard seen.insert(token).inserted || token.isEmpty else {
                throw CloudResponseError(action: request.action, httpStatus: 200, reason: "NextToken \(token) repeats")
            }
        } while !token.isEmpty
        return all
    }

    public func describeNetworkInterface(_ eniId: String) async throws -> NetworkInterface {
        guard let eni = try await describeNetworkInterfaces(eniIds: [eniId]).first(where: { $0.id == eniId }) else {
            throw CloudAPIError(code: "InvalidEniId.NotFound", message: "\(eniId) is not listed", requestId: "",
                                httpStatus: 404, action: "DescribeNetworkInterfaces")
        }
        return eni
    }

    /// Polls until the ENI shows `status` (attach and detach take a while on the service).
    public func waitForNetworkInterface(_ eniId: String, status: String, timeout: Double = 60,
                                        interval: Double = 0.2) async throws -> NetworkInterface {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let eni = try await describeNetworkInterface(eniId)
            if eni.status == status { return eni }
            guard Date() < deadline else {
                throw CloudResponseError(action: "DescribeNetworkInterfaces", httpStatus: 200,
                                         reason: "\(eniId) still \(eni.status) after \(timeout) s, waiting for \(status)")
            }
            try await Task.sleep(for: .seconds(interval))
        }
    }

    public func assignPrivateIpAddresses(_ eniId: String, count: Int) async throws -> [String] {
        let request = CloudRequest.assignPrivateIpAddresses(region: region, eniId: eniId, count: count)
        return try AssignedAddresses(privateIPv4JSON: try await call(request), action: request.action).addresses
    }

    public func assignPrivateIpAddresses(_ eniId: String, addresses: [String]) async throws -> [String] {
        let request = CloudRequest.assignPrivateIpAddresses(region: region, eniId: eniId, addresses: addresses)
        return try AssignedAddresses(privateIPv4JSON: try await call(request), action: request.action).addresses
    }

    public func unassignPrivateIpAddresses(_ eniId: String, addresses: [String]) async throws {
        do {
            _ = try await call(.unassignPrivateIpAddresses(region: region, eniId: eniId, addresses: addresses))
        } catch let error as CloudAPIError where error.code == "InvalidIp.IpUnassigned" || error.code == "InvalidEniId.NotFound" {
            log("UnassignPrivateIpAddresses: \(addresses) on \(eniId) already unassigned (\(error.code))")
        }
    }

    public func assignIpv6Addresses(_ eniId: String, count: Int) async throws -> [String] {
        let request = CloudRequest.assignIpv6Addresses(region: region, eniId: eniId, count: count)
        return try AssignedAddresses(ipv6JSON: try await call(request), action: request.action).addresses
    }

    public func unassignIpv6Addresses(_ eniId: String, addresses: [String]) async throws {
        do {
            _ = try await call(.unassignIpv6Addresses(region: region, eniId: eniId, addresses: addresses))
        } catch let error as CloudAPIError where error.code == "InvalidIp.IpUnassigned" || error.code == "InvalidEniId.NotFound" {
            log("UnassignIpv6Addresses: \(addresses) on \(eniId) already unassigned (\(error.code))")
        }
    }

    public func describeInstanceTypes(_ types: [String]) async throws -> [InstanceTypeQuota] {
        let request = CloudRequest.describeInstanceTypes(types)
        return try InstanceTypeQuota.list(json: try await call(request), action: request.action)
    }

    /// The VPC's vSwitches (or the one named) with their free addresses, every page.
    public func describeVSwitches(vpcId: String? = nil, vSwitchId: String? = nil) async throws -> [VSwitchInfo] {
        var all: [VSwitchInfo] = []
        var page = 1
        while true {
            let request = CloudRequest.describeVSwitches(region: region, vpcId: vpcId, vSwitchId: vSwitchId, pageNumber: page, pageSize: 50)
            let answer = try await call(request)
            let batch = try VSwitchInfo.list(json: answer, action: request.action)
            all += batch
            let total = answer["TotalCount"]?.integerValue ?? 0
            if batch.isEmpty || all.count >= total || page >= 1000 { return all }
            page += 1
        }
    }
}
