/// How big `lab up` builds the plan's world: edge nodes (spread over the edge domains in
/// turn), cloud nodes (ECS instances spread over the vSwitches) and pods on every node.
public struct LabSize: Codable, Sendable, Equatable {
    public var edgeNodes: Int
    public var cloudNodes: Int
    public var podsPerNode: Int

    public init(edgeNodes: Int = 3, cloudNodes: Int = 2, podsPerNode: Int = 2) {
        self.edgeNodes = edgeNodes
        self.cloudNodes = cloudNodes
        self.podsPerNode = podsPerNode
    }
}

/// Why the lab cannot be built or run, in words a person can act on.
public struct LabError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
