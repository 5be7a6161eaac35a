import NetworkCore

/// Why an allocation or a store operation failed.
public enum IPAMError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Every usable address of the subnet is taken.
    case exhausted(subnet: IPPrefix, usable: UInt128)
    /// The owner already holds addresses and the caller asked for new ones only.
    case alreadyAllocated(owner: IPAMOwner, addresses: [IPAddress])
    /// The pool definition is unusable (gateway outside subnet, subnet too small...).
    case invalidPool(String)
    /// A system call on the store failed.
    case io(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .exhausted(let subnet, let usable):
            "no free address in \(subnet): all \(usable) usable addresses are taken"
        case .alreadyAllocated(let owner, let addresses):
            "\(owner) already holds \(addresses.map(\.description).joined(separator: ", "))"
        case .invalidPool(let reason): reason
        case .io(let operation, let path, let errno): "\(operation) \(path) failed: errno \(errno)"
        }
    }
}
