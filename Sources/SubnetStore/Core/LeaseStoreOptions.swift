import Foundation

/// What every store needs besides its URL. Stores with more settings (TLS files, timeouts)
/// read them from the URL's query or from fields added here.
public struct LeaseStoreOptions: Sendable {
    /// The subnet pools, one per family. Reading commands (`ipam leases`) need none.
    public var pools: [NodeSubnetAllocator]
    /// The time source for expiry decisions; tests move it forward.
    public var clock: @Sendable () -> Date

    public init(pools: [NodeSubnetAllocator] = [], clock: @escaping @Sendable () -> Date = { Date() }) {
        self.pools = pools
        self.clock = clock
    }
}
