/// How many pods a cloud node of an ECS instance type can hold in Terway's shared-ENI mode:
/// the primary ENI carries the node, every other ENI gives its addresses to pods, so
/// `(ENIs - 1) × private IPv4 addresses per ENI`.
public struct ENICapacity: Hashable, Sendable {
    /// `EniQuantity` of the instance type.
    public var enis: Int
    /// `EniPrivateIpAddressQuantity`: private IPv4 addresses per ENI, the primary one included.
    public var addressesPerENI: Int

    public var maxPods: Int { (enis - 1) * addressesPerENI }

    /// A few common types, from Alibaba Cloud's instance family tables (general-purpose g6,
    /// "ENIs" and "Private IPv4 addresses per ENI" columns; DescribeInstanceTypes returns the
    /// same figures as EniQuantity and EniPrivateIpAddressQuantity). Types not listed are not
    /// checked: the report says so.
    public static let known: [String: ENICapacity] = [
        "ecs.g6.large": ENICapacity(enis: 2, addressesPerENI: 6),
        "ecs.g6.xlarge": ENICapacity(enis: 3, addressesPerENI: 10),
        "ecs.g6.2xlarge": ENICapacity(enis: 4, addressesPerENI: 10),
    ]
}
