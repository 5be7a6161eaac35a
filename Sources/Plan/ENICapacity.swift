/// How many pods a cloud node of an ECS instance type can hold in Terway's shared-ENI mode:
/// the primary ENI carries the node, every other ENI gives its addresses to pods, so
/// `(ENIs - 1) × private IPv4 addresses per ENI`.
public struct ENICapacity: Hashable, Sendable {
    /// `EniQuantity` of the instance type.
    public var enis: Int
    /// `EniPrivateIpAddressQuantity`: private IPv4 addresses per ENI, the primary one included.
    public var addressesPerENI: Int

    public var maxPods: Int { (enis - 1) * addressesPerENI }

    public init(enis: Int, addressesPerENI: Int) {
        self.enis = enis
        self.addressesPerENI = addressesPerENI
    }

    /// Types whose figures were checked against Alibaba Cloud's published instance family
    /// table (g6: "ENIs" 2, "Private IPv4 addresses per ENI" 6; DescribeInstanceTypes returns
    /// them as EniQuantity and EniPrivateIpAddressQuantity). Kept short on purpose: a wrong
    /// figure would pass plans that cannot run. For any other type the plan gives the two
    /// figures itself (`vpc.eniCapacity`), or the report says the pods were not checked.
    public static let known: [String: ENICapacity] = [
        "ecs.g6.large": ENICapacity(enis: 2, addressesPerENI: 6),
    ]
}
