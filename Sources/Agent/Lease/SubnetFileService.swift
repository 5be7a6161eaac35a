import CNIProtocol
import NetworkCore
import Foundation
import Logging
import ServiceLifecycle
import SubnetStore

/// Writes the plugin's subnet file whenever the lease's subnets change (atomically: the
/// plugin never reads a torn file). The file stays when the agent stops or the lease lapses:
/// running pods keep their addresses, and the plugin keeps allocating from the same subnet
/// the next run takes back.
public struct SubnetFileService: Service {
    let path: String
    let lease: Broadcast<Lease?>
    let readiness: Readiness?
    let logger: Logger

    public init(path: String, lease: Broadcast<Lease?>, readiness: Readiness? = nil, logger: Logger) {
        self.path = path
        self.lease = lease
        self.readiness = readiness
        self.logger = logger
    }

    public func run() async throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var written = Self.current(at: path)
        for await held in lease.updates().cancelOnGracefulShutdown() {
            guard let held else { continue }
            defer { readiness?.set("subnetFile", true) }
            guard held.subnets != written else { continue }
            do {
                try SubnetFile(subnets: held.subnets).write(to: path)
            } catch {
                AgentMetrics.reconcileErrors("subnetFile").increment()
                throw error
            }
            written = held.subnets
            logger.info("subnet file written", metadata: ["path": "\(path)", "subnets": "\(held.subnets.map(\.description).joined(separator: ","))"])
        }
    }

    /// The subnets an earlier run wrote, so an unchanged lease rewrites nothing.
    static func current(at path: String) -> [IPPrefix]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? SubnetFile(bytes: Array(data), path: path).subnets
    }
}
