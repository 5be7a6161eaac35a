import NetworkCore

/// Where a value was written in the plan file: a field path (`edgeDomains[0].podCIDRs[1]`) and a line.
public struct PlanLocation: Hashable, Sendable {
    public var field: String
    public var line: Int

    public init(field: String, line: Int) {
        self.field = field
        self.line = line
    }
}

/// A value together with where it was written.
public struct PlanValue<Value: Hashable & Sendable>: Hashable, Sendable {
    public var value: Value
    public var location: PlanLocation

    public init(_ value: Value, at location: PlanLocation) {
        self.value = value
        self.location = location
    }
}

public typealias PlanBlock = PlanValue<IPPrefix>
public typealias PlanAddress = PlanValue<IPAddress>

extension PlanValue where Value == IPPrefix {
    public var prefix: IPPrefix { value }
}

extension PlanValue where Value == IPAddress {
    public var address: IPAddress { value }
}
