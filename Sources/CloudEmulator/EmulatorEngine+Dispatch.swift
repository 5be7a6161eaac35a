import CloudAPI
import JSON

extension EmulatorEngine {
    /// One call: dispatch by product version and action, replaying the first answer of a
    /// repeated `ClientToken`.
    mutating func call(version: String, action: String, parameters: [String: String],
                       now: Double) throws(EmulatorFault) -> (JSONObject, [DatapathChange]) {
        let p = EmulatorParameters(values: parameters)
        if let region = p.optional("RegionId"), region != world.region {
            throw EmulatorFault("InvalidRegionId.NotFound", "The specified RegionId \(region) does not exist.", status: 404)
        }
        var business = parameters
        business["ClientToken"] = nil
        let tokenKey = p.optional("ClientToken").map { "\(action)/\($0)" }
        if let tokenKey, let seen = state.clientTokens[tokenKey] {
            guard seen.parameters == business else {
                throw EmulatorFault("IdempotentParameterMismatch", "The request uses the same ClientToken as a previous, but non-identical request.")
            }
            guard case .object(let answer)? = try? JSONValue.parse(seen.answer) else {
                throw EmulatorFault("InternalError", "The stored answer of ClientToken is unreadable.", status: 500)
            }
            return (answer, [])
        }
        let (answer, changes) = try dispatch(version: version, action: action, p, now: now)
        if let tokenKey { state.clientTokens[tokenKey] = .init(parameters: business, answer: JSONValue.object(answer).serialized()) }
        return (answer, changes)
    }

    private mutating func dispatch(version: String, action: String, _ p: EmulatorParameters,
                                   now: Double) throws(EmulatorFault) -> (JSONObject, [DatapathChange]) {
        switch (version, action) {
        case (CloudService.ecs.version, "CreateNetworkInterface"): return (try createNetworkInterface(p, now: now), [])
        case (CloudService.ecs.version, "AttachNetworkInterface"): return (try attachNetworkInterface(p, now: now), [])
        case (CloudService.ecs.version, "DetachNetworkInterface"): return (try detachNetworkInterface(p, now: now), [])
        case (CloudService.ecs.version, "DeleteNetworkInterface"): return (try deleteNetworkInterface(p), [])
        case (CloudService.ecs.version, "DescribeNetworkInterfaces"): return (try describeNetworkInterfaces(p), [])
        case (CloudService.ecs.version, "AssignPrivateIpAddresses"): return try assignPrivateIpAddresses(p, now: now)
        case (CloudService.ecs.version, "UnassignPrivateIpAddresses"): return try unassignPrivateIpAddresses(p)
        case (CloudService.ecs.version, "AssignIpv6Addresses"): return try assignIpv6Addresses(p, now: now)
        case (CloudService.ecs.version, "UnassignIpv6Addresses"): return try unassignIpv6Addresses(p)
        case (CloudService.ecs.version, "DescribeInstanceTypes"): return (describeInstanceTypes(p), [])
        case (CloudService.vpc.version, "DescribeVSwitches"): return (try describeVSwitches(p), [])
        default:
            throw EmulatorFault("InvalidAction.NotFound", "Specified api \(action) of version \(version) is not found.", status: 404)
        }
    }
}
