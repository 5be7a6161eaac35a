import CloudAPI
import JSON

/// The Describe actions, with the service's paging: `MaxResults`/`NextToken` or the older
/// `PageNumber`/`PageSize`.
extension EmulatorEngine {
    func describeNetworkInterfaces(_ p: EmulatorParameters) throws(EmulatorFault) -> JSONObject {
        let ids = p.list("NetworkInterfaceId")
        let tags = p.tags()
        let instance = p.optional("InstanceId")
        let matching = state.enis.values
            .filter { eni in
                (ids.isEmpty || ids.contains(eni.id))
                    && (instance == nil || eni.instanceId == instance)
                    && (p.optional("VSwitchId").map { $0 == eni.vSwitchId } ?? true)
                    && (p.optional("Status").map { $0 == status(eni) } ?? true)
                    && (p.optional("Type").map { $0 == (eni.primary ? "Primary" : "Secondary") } ?? true)
                    && tags.allSatisfy { eni.tags[$0.key] == $0.value }
            }
            .sorted { ($0.created, $0.id) < ($1.created, $1.id) }
            .map(view)
        if p.optional("MaxResults") != nil || p.optional("NextToken") != nil {
            let size = try p.int("MaxResults", default: 10, range: 10...500)
            var start = 0
            if let token = p.optional("NextToken") {
                guard token.hasPrefix("te-page-"), let offset = Int(token.dropFirst(8)), offset >= 0, offset <= matching.count else {
                    throw EmulatorFault("InvalidParameter.NextToken", "The specified NextToken is not valid.")
                }
                start = offset
            }
            let end = min(matching.count, start + size)
            let page = NetworkInterfacePage(interfaces: Array(matching[start..<end]),
                                            nextToken: end < matching.count ? "te-page-\(end)" : "", totalCount: matching.count)
            var answer = page.json(requestId: "")
            answer["RequestId"] = nil
            return answer
        }
        let number = try p.int("PageNumber", default: 1, range: 1...Int(Int32.max))
        let size = try p.int("PageSize", default: 10, range: 1...1000)
        let start = min(matching.count, (number - 1) * size)
        var answer = NetworkInterfacePage(interfaces: Array(matching[start..<min(matching.count, start + size)]),
                                          nextToken: "", totalCount: matching.count).json(requestId: "")
        answer["RequestId"] = nil
        answer["PageNumber"] = .integer(Int64(number))
        answer["PageSize"] = .integer(Int64(size))
        return answer
    }

    func describeInstanceTypes(_ p: EmulatorParameters) -> JSONObject {
        let wanted = p.list("InstanceTypes")
        let types = world.instanceTypes.filter { wanted.isEmpty || wanted.contains($0.id) }
        var answer = JSONObject()
        answer["NextToken"] = ""
        answer["InstanceTypes"] = ["InstanceType": .array(types.map { .object($0.json) })]
        return answer
    }

    func describeVSwitches(_ p: EmulatorParameters) throws(EmulatorFault) -> JSONObject {
        if let vpc = p.optional("VpcId"), vpc != world.vpc.id { return vSwitchPage([], number: 1, size: 10) }
        let matching = world.vSwitches.filter { vsw in
            (p.optional("VSwitchId").map { $0 == vsw.id } ?? true) && (p.optional("ZoneId").map { $0 == vsw.zone } ?? true)
        }
        return vSwitchPage(matching, number: try p.int("PageNumber", default: 1, range: 1...Int(Int32.max)),
                           size: try p.int("PageSize", default: 10, range: 1...50))
    }

    private func vSwitchPage(_ vSwitches: [EmulatorWorld.VSwitch], number: Int, size: Int) -> JSONObject {
        let start = min(vSwitches.count, (number - 1) * size)
        let page = vSwitches[start..<min(vSwitches.count, start + size)].map {
            VSwitchInfo(id: $0.id, vpcId: world.vpc.id, zoneId: $0.zone, cidrBlock: $0.cidr, availableIpAddressCount: freeCount($0))
        }
        var answer = JSONObject()
        answer["TotalCount"] = .integer(Int64(vSwitches.count))
        answer["PageNumber"] = .integer(Int64(number))
        answer["PageSize"] = .integer(Int64(size))
        answer["VSwitches"] = ["VSwitch": .array(page.map { .object($0.json) })]
        return answer
    }
}
