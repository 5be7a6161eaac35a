/// One network namespace of the lab and what it stands for in the seed's picture.
public struct LabNamespace: Codable, Sendable, Hashable {
    public enum Role: String, Codable, Sendable {
        /// The VPC's vSwitch router; the cloud emulator runs here (API and metadata on 100.100.100.200).
        case vpc
        /// A data center's virtual border router, joined to the VPC and to its circuit.
        case vbr
        /// A data center's router, acting as the edge gateway of its domain (BIRD).
        case dcRouter = "dc-router"
        /// Hosts outside every cluster range: where masqueraded traffic goes.
        case internet
        /// An ECS VM of the VPC (no Kubernetes on it).
        case ecsVM = "ecs-vm"
        /// An ECS instance that is a cloud node.
        case cloudNode = "cloud-node"
        /// An edge node in a data center, running `terway-edged` role edge.
        case edgeNode = "edge-node"
        case edgePod = "edge-pod"
        case cloudPod = "cloud-pod"
    }

    public var name: String
    public var role: Role
    /// What a person calls it, and a hop in `lab test`: `edge-1`, `router of dc1-site`, `i-ecs-1`.
    public var label: String

    public init(name: String, role: Role, label: String) {
        self.name = name
        self.role = role
        self.label = label
    }
}
