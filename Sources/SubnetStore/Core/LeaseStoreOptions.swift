import Foundation

/// What every store needs besides its URL. Stores with more settings (TLS files, timeouts)
/// read them from the URL's query or from fields added here.
public struct LeaseStoreOptions: Sendable {
    /// The subnet pools, one per family. Reading commands (`ipam leases`) need none.
    public var pools: [NodeSubnetAllocator]
    /// The time source for record times; nil: the store's own (the embedded store: the
    /// host kernel's clock, `HostClock`; etcd and Kubernetes: this process's clock, which
    /// decides no expiry there). Tests move it.
    public var clock: (@Sendable () -> Date)?
    /// The embedded store reclaims another node's lease only this long after its expiry:
    /// room for a clock step (NTP correcting the host's time) between two writers.
    public var expiryMargin: Duration
    /// Hears what a store skips or retries without failing the caller: undecodable records,
    /// watch reconnections. Default: one line on standard error.
    public var report: @Sendable (LeaseStoreReport) -> Void

    public init(pools: [NodeSubnetAllocator] = [], clock: (@Sendable () -> Date)? = nil,
                expiryMargin: Duration = .seconds(5),
                report: @escaping @Sendable (LeaseStoreReport) -> Void = LeaseStoreReport.toStandardError) {
        self.pools = pools
        self.clock = clock
        self.expiryMargin = expiryMargin
        self.report = report
    }
}
