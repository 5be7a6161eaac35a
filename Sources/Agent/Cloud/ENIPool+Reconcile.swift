import CloudAPI
import CloudENI
import CNI
import Foundation

/// The cloud compared with the ledger: at start (after the intents a crash left are carried
/// out, anything of ours the cloud holds is taken into the pool) and every
/// `reconcileInterval` (an address or ENI of ours that no record owns at two checks in a row
/// goes back to the cloud; the pool's surplus is returned).
extension ENIPool {
    /// Replays the intents, adopts what the cloud holds, sets up the links, fills the pool.
    func start() async throws {
        for (key, address) in owners { if let grant = try? grant(address) { links.granted(key, grant) } }
        for intent in ledger.state.intents.values.sorted(by: { $0.token < $1.token }) { try await replay(intent) }
        try await reconcile(adopting: true)
        for eni in enis { try await links.setUp(eni) }
        publishMetrics()
        startFilling()
    }

    /// Carries out an intent a crash left open. One the cloud refused for good, which
    /// `complete` undid and closed (a new ENI whose attach was refused), is logged, not
    /// thrown: the agent starts, or cleans up, without it instead of failing every time.
    func replay(_ intent: PoolLedger.Intent) async throws {
        do {
            try await complete(intent)
            logger.info("pool: completed an interrupted \(intent.action.rawValue)", metadata: ["token": "\(intent.token)", "eni": "\(intent.eni ?? "-")"])
        } catch let error as CNIError where ledger.state.intents[intent.token] == nil {
            lastFailure = error.msg + (error.details.isEmpty ? "" : ": \(error.details)")
            logger.warning("pool: an interrupted \(intent.action.rawValue) was refused and undone", metadata: ["error": "\(error)"])
        }
    }

    /// One comparison. `adopting`: what nobody owns joins the pool (at start, when every
    /// interrupted mutation was ours); otherwise it is a suspect, released at its second sighting.
    func reconcile(adopting: Bool) async throws {
        exhausted = []
        let attached = try await client.describeNetworkInterfaces(instanceId: instance.id)
        let tagged = try await client.describeNetworkInterfaces(tags: [Self.instanceTag: instance.id])
        var cloud: [String: NetworkInterface] = [:]
        for eni in attached + tagged where eni.tags[Self.instanceTag] == instance.id { cloud[eni.id] = eni }
        foreignENIs = attached.filter { $0.tags[Self.instanceTag] != instance.id && $0.type != "Primary" }.map(\.id).sorted()
        var seen: Set<String> = []
        var repaired = 0

        for eni in ledger.state.enis.values where cloud[eni.id] == nil && !busy.contains(eni.id) {
            let lost = ledger.state.addresses.values.filter { $0.eni == eni.id && $0.owner != nil }.map(\.address)
            logger.error("pool: ENI \(eni.id) is gone from the cloud", metadata: ["podsLosingTheirAddress": "\(lost.joined(separator: ","))"])
            try ledger.record(.eniGone(eni.id))
            links.removed(eni.id)
            for (key, address) in owners where lost.contains(address) {
                owners[key] = nil
                links.released(key)
            }
        }
        for eni in cloud.values.sorted(by: { $0.id < $1.id }) where !busy.contains(eni.id) {
            guard ledger.state.enis[eni.id] != nil else {
                if adopting || ledger.state.intents.values.contains(where: { $0.eni == eni.id }) {
                    if adopting { try await adopt(eni) }
                    continue
                }
                seen.insert(eni.id)
                if suspects[eni.id, default: 0] >= 1 {
                    try await removeENI(eni.id)
                    repaired += 1
                } else {
                    suspects[eni.id] = 1
                }
                continue
            }
            let inCloud = Set(eni.privateIPs).subtracting([eni.primaryIP])
            let recorded = Set(ledger.state.addresses.values.filter { $0.eni == eni.id }.map(\.address))
            for address in recorded.subtracting(inCloud) {
                if let owner = ledger.state.addresses[address]?.owner {
                    logger.error("pool: the cloud no longer has \(address) of \(owner.containerID)/\(owner.ifName)")
                    for (key, held) in owners where held == address {
                        owners[key] = nil
                        links.released(key)
                    }
                }
                try ledger.record(.addressGone(address))
            }
            let recordedIPv6 = Set(ledger.state.addresses.values.filter { $0.eni == eni.id }.compactMap(\.ipv6))
            for var record in ledger.state.addresses.values where record.eni == eni.id && record.ipv6.map({ !eni.ipv6s.contains($0) }) == true {
                if let owner = record.owner { logger.error("pool: the cloud no longer has \(record.ipv6!) of \(owner.containerID)/\(owner.ifName)") }
                record.ipv6 = nil
                try ledger.record(.address(record))
            }
            var unowned = inCloud.subtracting(recorded).sorted()
            if adopting {
                let now = Date().timeIntervalSince1970
                for address in unowned {
                    try ledger.record(.address(PoolLedger.Address(address: address, eni: eni.id, owner: nil, idleSince: now)))
                }
                // IPv6 addresses with no IPv4 record left to pair are suspects at the next check.
                try pair(Set(eni.ipv6s).subtracting(recordedIPv6).sorted(), on: eni.id)
                continue
            }
            unowned += Set(eni.ipv6s).subtracting(recordedIPv6).sorted()
            var leaked: [String] = []
            for address in unowned {
                seen.insert(address)
                if suspects[address, default: 0] >= 1 { leaked.append(address) } else { suspects[address] = 1 }
            }
            if !leaked.isEmpty {
                logger.warning("pool: releasing addresses nobody owns", metadata: ["eni": "\(eni.id)", "addresses": "\(leaked.joined(separator: ","))"])
                let intent = PoolLedger.Intent(token: Self.newToken(), action: .unassign, eni: eni.id, addresses: leaked)
                try ledger.record(.intent(intent))
                try await complete(intent)
                repaired += leaked.count
            }
        }
        // A suspect not seen unowned this time was taken, or is gone: it starts over.
        suspects = suspects.filter { seen.contains($0.key) }
        if repaired > 0 {
            leaksRepaired += repaired
            CloudMetrics.leaksRepaired.increment(by: repaired)
        }
        publishMetrics()
    }

    /// An ENI of ours that a crash left out of the ledger: attached and taken into the pool.
    private func adopt(_ eni: NetworkInterface) async throws {
        logger.info("pool: adopting ENI \(eni.id) of this instance", metadata: ["status": "\(eni.status)"])
        let intent = PoolLedger.Intent(token: Self.newToken(), action: .attachENI, eni: eni.id)
        try ledger.record(.intent(intent))
        try await complete(intent)
    }

    private func removeENI(_ id: String) async throws {
        logger.warning("pool: removing ENI \(id) that nobody owns")
        let intent = PoolLedger.Intent(token: Self.newToken(), action: .deleteENI, eni: id)
        try ledger.record(.intent(intent))
        try await complete(intent)
    }

    /// Every `reconcileInterval`: compare, then return the surplus; every second: idle aging.
    func runLoops() async {
        let interval = settings.reconcileInterval
        var next = ContinuousClock.now + interval
        while !Task.isCancelled {
            try? await Task.sleep(for: min(interval, .seconds(1)))
            if ContinuousClock.now >= next {
                next = ContinuousClock.now + interval
                do { try await reconcile(adopting: false) } catch {
                    lastFailure = "reconcile failed: \(error)"
                    logger.warning("pool: reconcile failed", metadata: ["error": "\(error)"])
                }
            }
            await trim()
            await reclaimENIs()
            if idleCount < settings.pool.minIdle, growRetryAt.map({ ContinuousClock.now >= $0 }) ?? true { startFilling() }
            CloudMetrics.publish(await client.statistics)
        }
    }
}
