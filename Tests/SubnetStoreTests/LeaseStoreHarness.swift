import SubnetStore

/// One fresh, empty backend for a conformance check, and the store-specific ways to reach it.
/// Each store's tests implement it (embedded: a file in a temporary folder; etcd: a new key
/// prefix on the test cluster; Kubernetes: a replay server).
protocol LeaseStoreHarness: Sendable {
    /// A new client of this harness's backend, leasing from `pools`. Two clients of one
    /// harness behave like two agents sharing the store.
    func openStore(pools: [NodeSubnetAllocator]) async throws -> any LeaseStore
    /// The same, telling `report` what the store skips or retries.
    func openStore(pools: [NodeSubnetAllocator], report: @escaping @Sendable (LeaseStoreReport) -> Void) async throws -> any LeaseStore
    /// Stores `bytes` as the record of `node`, bypassing the codec: what a foreign writer or
    /// bit rot leaves behind.
    func writeRawRecord(node: String, bytes: [UInt8]) async throws
    /// A TTL short enough to wait out in a test and long enough for the backend to honour.
    var shortTTL: Duration { get }
    /// How late the backend may notice an expiry (poll interval, etcd's lease checker).
    var expirySlack: Duration { get }
}

