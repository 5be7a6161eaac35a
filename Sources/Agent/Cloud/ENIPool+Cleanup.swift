import CloudAPI
import Foundation

/// `terway-edged --cleanup` for role cloud: the node gives back everything the agent made.
extension ENIPool {
    struct CleanupResult {
        var enis: Int
        var addresses: Int
        var rules: Int
        var routes: Int
    }

    /// Carries out the intents a crash left, removes the pods' rules and host routes and the
    /// ENI tables, then detaches and deletes every ENI of ours (the ledger's and any the cloud
    /// tags with this instance; their addresses go with them) and waits until the cloud lists
    /// none. What is already gone counts as done, so a second run finds nothing to do.
    func cleanup(confirmWithin timeout: Duration = .seconds(60)) async throws -> CleanupResult {
        for intent in ledger.state.intents.values.sorted(by: { $0.token < $1.token }) { try await replay(intent) }
        let removed = try links.removeAll(enis: enis, grants: grants)
        let addresses = ledger.state.addresses.values.reduce(0) { $0 + 1 + ($1.ipv6 == nil ? 0 : 1) }
        let ids = try await cloudENIsOfOurs().union(ledger.state.enis.keys)
        for id in ids.sorted() {
            let intent = PoolLedger.Intent(token: Self.newToken(), action: .deleteENI, eni: id)
            try ledger.record(.intent(intent))
            try await complete(intent)
        }
        owners = [:]
        let deadline = ContinuousClock.now + timeout
        while case let left = try await cloudENIsOfOurs(), !left.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw LedgerError(description: "the cloud still lists \(left.sorted().joined(separator: ", ")) \(timeout) after their deletion")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        try ledger.compact()
        return CleanupResult(enis: ids.count, addresses: addresses, rules: removed.rules, routes: removed.routes)
    }

    /// The ENIs the cloud holds with this instance's tag, attached or not.
    private func cloudENIsOfOurs() async throws -> Set<String> {
        let attached = try await client.describeNetworkInterfaces(instanceId: instance.id)
        let tagged = try await client.describeNetworkInterfaces(tags: [Self.instanceTag: instance.id])
        return Set((attached + tagged).filter { $0.tags[Self.instanceTag] == instance.id }.map(\.id))
    }
}
