import TestSupport

/// The etcd row: a 3-member etcd cluster (the real /usr/bin/etcd) on free loopback ports,
/// data in /dev/shm, started for the row and stopped by PID after it.
final class EtcdBenchCluster: @unchecked Sendable {
    private var cluster: EtcdCluster?

    func start() -> Result<String, SkipReason> {
        do {
            let cluster = try EtcdCluster(size: 3)
            self.cluster = cluster
            return .success("etcd://\(cluster.storeAuthority)/bench")
        } catch {
            return .failure(SkipReason(text: "\(error)"))
        }
    }

    func stop() {
        cluster?.stopAll()
        cluster = nil
    }
}

let etcdBenchCluster = EtcdBenchCluster()
