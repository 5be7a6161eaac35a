import CloudAPI
import CloudENI
import CNI
import CNIProtocol
import Foundation
import Logging
import NetworkCore

/// The node's warm pool of VPC addresses: secondary private IPs of ENIs this agent created
/// and attached. Pods take idle addresses at once; when fewer than `minIdle` are left, or a
/// pod waits, one batch sized to the demand (requests coalesced for `coalesceWindow`) is
/// assigned on an ENI with room, or a new ENI is created with its addresses in one call.
/// Every cloud mutation is written to the ledger as an intent first (see `PoolLedger`).
actor ENIPool {
    struct Instance: Sendable {
        var id: String
        var type: String
        var zone: String
        var vSwitchId: String
    }

    struct Settings: Sendable {
        var pool: CloudAgentConfig.Pool
        var vSwitches: [String]
        var securityGroups: [String]
        /// Secondary ENIs this node may hold (quota minus the primary, capped by `maxENIs`).
        var maxENIs: Int
        var quota: InstanceTypeQuota
        var reconcileInterval: Duration
    }

    static let coalesceWindow: Duration = .milliseconds(20)
    /// The API's limit on `SecondaryPrivateIpAddressCount` of one `AssignPrivateIpAddresses`,
    /// and on `Ipv6AddressCount` of one `AssignIpv6Addresses` or `CreateNetworkInterface`.
    static let assignBatchLimit = 10
    /// The tag every ENI of ours carries: its value is the instance, so reconcile finds
    /// ENIs a crash left unattached.
    static let instanceTag = "terway-edge-instance"

    let client: CloudClient
    let metadata: MetadataClient
    let instance: Instance
    let settings: Settings
    let ledger: PoolLedger
    let links: CloudNodeLinks
    let logger: Logger

    var owners: [PodAttachmentKey: String] = [:]
    private var waiters: [(key: PodAttachmentKey, pod: PodReference?, done: CheckedContinuation<PodAddressGrant, any Error>)] = []
    private var filling = false
    private var trimming = false
    /// Addresses being unassigned: no pod may take them meanwhile.
    var leaving: Set<String> = []
    /// ENIs with a mutation in flight: reconcile does not judge their addresses.
    var busy: Set<String> = []
    /// vSwitches that answered "no address left", skipped until the next reconcile.
    var exhausted: Set<String> = []
    /// Addresses and ENIs seen owned by nobody, and at how many reconciles in a row.
    var suspects: [String: Int] = [:]
    var leaksRepaired = 0
    var lastFailure: String?
    /// Fills given up in a row, and when the pool may next grow on its own (for `minIdle`;
    /// a pod's request always tries): a lasting refusal is asked less and less often.
    var growFailures = 0
    var growRetryAt: ContinuousClock.Instant?
    /// Secondary ENIs on the instance that are not ours (attached by someone else), as the
    /// last reconcile saw them: each takes one of the type's ENI slots.
    var foreignENIs: [String] = []

    /// Secondary ENIs this pool may hold now: `maxENIs`, less the slots foreign ENIs take.
    var enisAllowed: Int { max(0, min(settings.maxENIs, settings.quota.eniQuantity - 1 - foreignENIs.count)) }

    init(client: CloudClient, metadata: MetadataClient, instance: Instance, settings: Settings, ledger: PoolLedger,
         links: CloudNodeLinks, logger: Logger) {
        self.client = client
        self.metadata = metadata
        self.instance = instance
        self.settings = settings
        self.ledger = ledger
        self.links = links
        self.logger = logger
        for address in ledger.state.addresses.values {
            if let owner = address.owner { owners[PodAttachmentKey(containerID: owner.containerID, ifName: owner.ifName)] = address.address }
        }
    }

    // MARK: The socket's requests

    func allocate(_ key: PodAttachmentKey, pod: PodReference?) async throws -> PodAddressGrant {
        if let address = owners[key] { return try grant(address) }
        if let address = takeIdle(for: key, pod: pod) {
            if idleCount < settings.pool.minIdle { startFilling() }
            return try grant(address)
        }
        let grant = try await withCheckedThrowingContinuation { waiters.append((key, pod, $0)) ; startFilling() }
        return grant
    }

    func release(_ key: PodAttachmentKey) throws {
        guard let address = owners.removeValue(forKey: key), var record = ledger.state.addresses[address] else { return }
        links.released(key)
        record.owner = nil
        record.idleSince = Date().timeIntervalSince1970
        try ledger.record(.address(record))
        publishMetrics()
        if idleCount > settings.pool.maxIdle { startTrimming() }
    }

    func lookup(_ key: PodAttachmentKey) throws -> PodAddressGrant {
        guard let address = owners[key] else { throw CNIError(.unknownContainer, "no address is held for \(key)") }
        return try grant(address)
    }

    /// GC: every grant outside `keys` is released.
    func keep(_ keys: [PodAttachmentKey]) throws -> Int {
        let valid = Set(keys)
        let stale = owners.keys.filter { !valid.contains($0) }
        for key in stale { try release(key) }
        return stale.count
    }

    /// The grants held, for the node's rule and route repair.
    var grants: [PodAttachmentKey: PodAddressGrant] {
        owners.compactMapValues { try? grant($0) }
    }

    // MARK: Pool state

    var idleCount: Int { ledger.state.addresses.values.count { $0.owner == nil && !leaving.contains($0.address) && isComplete($0) } }
    var inUseCount: Int { owners.count }
    var enis: [PoolLedger.ENI] { ledger.state.enis.values.sorted { $0.slot < $1.slot } }

    func grant(_ address: String) throws -> PodAddressGrant {
        guard let record = ledger.state.addresses[address], let eni = ledger.state.enis[record.eni],
              let ip = IPAddress(address), let mac = MACAddress(eni.mac) else {
            throw CNIError(.ioFailure, "the ledger's record of \(address) is incomplete")
        }
        // One address per family, the IPv4 first; the ENI's gateway and subnet of each.
        let ipv6 = isDualStack(eni) ? record.ipv6.flatMap(IPAddress.init) : nil
        return PodAddressGrant(addresses: [ip] + [ipv6].compactMap { $0 },
                               eni: .init(mac: mac, slot: eni.slot,
                                          gateways: [eni.gateway, ipv6 == nil ? nil : eni.ipv6Gateway].compactMap { $0.flatMap(IPAddress.init) },
                                          subnets: [eni.cidr, ipv6 == nil ? nil : eni.ipv6Cidr].compactMap { $0.flatMap(IPPrefix.init) }))
    }

    /// The ENI's pods get an IPv6 address too: the instance type has an IPv6 quota and the
    /// ENI's vSwitch an IPv6 CIDR block.
    func isDualStack(_ eni: PoolLedger.ENI) -> Bool {
        settings.quota.eniIpv6AddressQuantity > 0 && eni.ipv6Cidr != nil && eni.ipv6Gateway != nil
    }

    /// Grantable: on a dual-stack ENI, only with its IPv6 partner.
    func isComplete(_ record: PoolLedger.Address) -> Bool {
        record.ipv6 != nil || !(ledger.state.enis[record.eni].map(isDualStack) ?? false)
    }

    /// IPv6 addresses of an ENI paired with its IPv4 records that have none (the lowest
    /// first); returns those left without a partner.
    @discardableResult
    func pair(_ ipv6s: [String], on eniId: String) throws -> [String] {
        let taken = Set(ledger.state.addresses.values.compactMap(\.ipv6))
        var fresh = ipv6s.filter { !taken.contains($0) }.sorted()
        for var record in ledger.state.addresses.values.filter({ $0.eni == eniId && $0.ipv6 == nil }).sorted(by: { $0.address < $1.address }) {
            guard !fresh.isEmpty else { break }
            record.ipv6 = fresh.removeFirst()
            try ledger.record(.address(record))
        }
        return fresh
    }

    private func takeIdle(for key: PodAttachmentKey, pod: PodReference?) -> String? {
        // The longest idle first: an address just released may still be in a peer's ARP cache.
        guard var record = ledger.state.addresses.values
            .filter({ $0.owner == nil && !leaving.contains($0.address) && ledger.state.enis[$0.eni] != nil && isComplete($0) })
            .min(by: { ($0.idleSince, $0.address) < ($1.idleSince, $1.address) }) else { return nil }
        record.owner = PoolLedger.Owner(containerID: key.containerID, ifName: key.ifName, namespace: pod?.namespace, name: pod?.name)
        do { try ledger.record(.address(record)) } catch {
            logger.error("pool: the ledger refused a grant", metadata: ["error": "\(error)"])
            return nil
        }
        owners[key] = record.address
        if let grant = try? grant(record.address) { links.granted(key, grant) }
        publishMetrics()
        return record.address
    }

    private func serveWaiters() {
        while !waiters.isEmpty {
            let waiter = waiters[0]
            if let address = owners[waiter.key] {
                waiters.removeFirst()
                waiter.done.resume(with: Result { try grant(address) })
                continue
            }
            guard let address = takeIdle(for: waiter.key, pod: waiter.pod) else { return }
            waiters.removeFirst()
            waiter.done.resume(with: Result { try grant(address) })
        }
    }

    private func failWaiters(_ error: CNIError) {
        let failed = waiters
        waiters = []
        for waiter in failed { waiter.done.resume(throwing: error) }
    }

    // MARK: Growing

    func startFilling() {
        guard !filling else { return }
        filling = true
        Task { await fill() }
    }

    /// Batches until no pod waits and `minIdle` addresses are idle.
    private func fill() async {
        try? await Task.sleep(for: Self.coalesceWindow)
        var failures = 0
        while true {
            serveWaiters()
            let need = waiters.count + max(0, settings.pool.minIdle - idleCount)
            guard need > 0 else { break }
            do {
                try await grow(by: min(need, max(settings.pool.maxIdle, 1) + waiters.count))
                failures = 0
                growFailures = 0
                growRetryAt = nil
                lastFailure = nil
            } catch let error as CNIError {
                lastFailure = error.msg + (error.details.isEmpty ? "" : ": \(error.details)")
                failWaiters(error)
                break
            } catch let error as CloudAPIError where !error.isRetryable {
                // Waiting does not cure it (a wrong vSwitch, a RAM policy, a quota): the pods
                // hear the cloud's answer now. (The client retried what waiting can cure.)
                lastFailure = "\(error)"
                logger.warning("pool: the cloud refused new addresses", metadata: ["error": "\(error)"])
                backOffGrowing()
                failWaiters(CNIError(.tryAgainLater, "the cloud refused new addresses: \(error.code)", details: "\(error)"))
                break
            } catch {
                failures += 1
                lastFailure = "\(error)"
                logger.warning("pool: growing failed", metadata: ["error": "\(error)", "failures": "\(failures)"])
                guard failures < 5 else {
                    backOffGrowing()
                    failWaiters(CNIError(.tryAgainLater, "the cloud refused new addresses", details: "\(error)"))
                    break
                }
                try? await Task.sleep(for: .milliseconds(200 << min(failures, 4)))
            }
        }
        filling = false
        publishMetrics()
    }

    /// 2, 4, 8 ... s after each fill given up, at most `reconcileInterval`.
    private func backOffGrowing() {
        growFailures += 1
        growRetryAt = ContinuousClock.now + min(settings.reconcileInterval, .seconds(1 << min(growFailures, 10)))
    }

    /// One batch: on the ENI with the most room, else a new ENI.
    private func grow(by need: Int) async throws {
        let perENI = settings.quota.eniPrivateIpAddressQuantity - 1
        let perENIv6 = settings.quota.eniIpv6AddressQuantity
        // IPv4 addresses of a dual-stack ENI still without their IPv6 partner come first.
        for eni in enis where isDualStack(eni) && !exhausted.contains(eni.vSwitchId) && !busy.contains(eni.id) {
            let records = ledger.state.addresses.values.filter { $0.eni == eni.id }
            let unpaired = records.count { $0.ipv6 == nil }
            let room = perENIv6 - records.count { $0.ipv6 != nil }
            if unpaired > 0, room > 0 {
                try await assign(min(unpaired, room, Self.assignBatchLimit), on: eni, action: .assignIPv6)
                return
            }
        }
        // Not one being deleted (`reclaimENIs`).
        let candidates = enis.filter { !exhausted.contains($0.vSwitchId) && !busy.contains($0.id) }.map { eni in
            let records = ledger.state.addresses.values.filter { $0.eni == eni.id }
            let room = perENI - records.count
            return (eni, isDualStack(eni) ? min(room, perENIv6 - records.count { $0.ipv6 != nil }) : room)
        }.filter { $0.1 > 0 }
        if let (eni, room) = candidates.max(by: { $0.1 < $1.1 }) {
            try await assign(min(need, room, Self.assignBatchLimit), on: eni)
            return
        }
        guard ledger.state.enis.count < enisAllowed else {
            throw CNIError(.tryAgainLater, "no address left on \(instance.id)", details: quotaText)
        }
        guard let vSwitch = settings.vSwitches.first(where: { !exhausted.contains($0) }) else {
            throw CNIError(.tryAgainLater, "no address left in the vSwitches \(settings.vSwitches.joined(separator: ", "))",
                           details: "each answered that it has no free address; add a vSwitch to cloud.vSwitches")
        }
        // A vSwitch known dual-stack (from an ENI of ours on it): the new ENI comes with its
        // IPv6 partners in the same call, and no more IPv4 than the IPv6 quota pairs.
        let dualStack = enis.contains { $0.vSwitchId == vSwitch && isDualStack($0) }
        let perNewENI = dualStack ? min(perENI, perENIv6) : perENI
        // A burst larger than one ENI: its ENIs are created and attached side by side, so a
        // cold node waits for one attach, not one per ENI.
        let count = min((need + perNewENI - 1) / perNewENI, enisAllowed - ledger.state.enis.count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var left = need
            for _ in 0..<count {
                let addresses = min(left, perNewENI)
                left -= addresses
                group.addTask { try await self.createENI(on: vSwitch, addresses: addresses, ipv6: dualStack) }
            }
            try await group.waitForAll()
        }
    }

    var quotaText: String {
        "instance type \(settings.quota.id) allows \(settings.quota.eniQuantity) ENIs (eniQuantity, \(settings.maxENIs) secondary for pods"
            + " with maxENIs) of \(settings.quota.eniPrivateIpAddressQuantity) private addresses each (eniPrivateIpAddressQuantity)"
            + (foreignENIs.isEmpty ? "" : "; ENIs attached by others take \(foreignENIs.count) of them (\(foreignENIs.joined(separator: ", ")))")
            + ": all \(enisAllowed * (settings.quota.eniPrivateIpAddressQuantity - 1)) are in use"
    }

    static func isOutOfAddresses(_ error: any Error) -> Bool {
        guard let error = error as? CloudAPIError else { return false }
        return error.code == "InvalidVSwitchId.IpNotEnough" || error.code == "QuotaExceeded.PrivateIpAddress"
    }

    private func assign(_ count: Int, on eni: PoolLedger.ENI, action: PoolLedger.Intent.Action = .assign) async throws {
        let intent = PoolLedger.Intent(token: Self.newToken(), action: action, eni: eni.id, count: count)
        try ledger.record(.intent(intent))
        busy.insert(eni.id)
        defer { busy.remove(eni.id) }
        do {
            try await complete(intent)
        } catch where Self.isOutOfAddresses(error) {
            logger.warning("pool: vSwitch out of addresses, moving on", metadata: ["vSwitch": "\(eni.vSwitchId)", "error": "\(error)"])
            exhausted.insert(eni.vSwitchId)
            try ledger.record(.done(intent.token))
        }
    }

    private func createENI(on vSwitch: String, addresses: Int, ipv6: Bool) async throws {
        let intent = PoolLedger.Intent(token: Self.newToken(), action: .createENI, vSwitchId: vSwitch, count: addresses,
                                       ipv6Count: ipv6 ? min(addresses, Self.assignBatchLimit) : nil)
        try ledger.record(.intent(intent))
        do {
            try await complete(intent)
        } catch where Self.isOutOfAddresses(error) {
            logger.warning("pool: vSwitch out of addresses, moving on", metadata: ["vSwitch": "\(vSwitch)", "error": "\(error)"])
            exhausted.insert(vSwitch)
            try ledger.record(.done(intent.token))
        }
    }

    static func newToken() -> String { UUID().uuidString.lowercased() }

    // MARK: Intents: made, and replayed after a crash

    /// Carries an intent out (again): the same ClientToken makes a repeated create or
    /// assign answer what the first one did; unassign and delete of what is gone count as done.
    func complete(_ intent: PoolLedger.Intent) async throws {
        switch intent.action {
        case .assign:
            guard let eniId = intent.eni, let count = intent.count else { break }
            var request = CloudRequest.assignPrivateIpAddresses(region: client.config.region, eniId: eniId, count: count)
            request.parameters["ClientToken"] = intent.token
            let answer = try await client.call(request)
            let now = Date().timeIntervalSince1970
            if ledger.state.enis[eniId] != nil {
                for address in try AssignedAddresses(privateIPv4JSON: answer, action: request.action).addresses
                where ledger.state.addresses[address] == nil {
                    try ledger.record(.address(PoolLedger.Address(address: address, eni: eniId, owner: nil, idleSince: now)))
                }
            }
        case .assignIPv6:
            guard let eniId = intent.eni, let count = intent.count else { break }
            var request = CloudRequest.assignIpv6Addresses(region: client.config.region, eniId: eniId, count: count)
            request.parameters["ClientToken"] = intent.token
            let answer = try await client.call(request)
            // Any left unpaired (the ENI's records went meanwhile) are reconcile's to return.
            if ledger.state.enis[eniId] != nil {
                try pair(try AssignedAddresses(ipv6JSON: answer, action: request.action).addresses, on: eniId)
            }
        case .createENI, .attachENI:
            var eniId = intent.eni
            if eniId == nil, let vSwitch = intent.vSwitchId {
                var request = CloudRequest.createNetworkInterface(
                    region: client.config.region, vSwitchId: vSwitch, securityGroupIds: settings.securityGroups,
                    secondaryPrivateIPCount: intent.count ?? 0, ipv6Count: intent.ipv6Count ?? 0, description: "terway-edge pods of \(instance.id)",
                    tags: [Self.instanceTag: instance.id])
                request.parameters["ClientToken"] = intent.token
                let created = try NetworkInterface(json: try await client.call(request), action: request.action)
                eniId = created.id
                // The ENI exists now: a crash from here on finds it by id.
                try ledger.record(.intent(PoolLedger.Intent(token: intent.token, action: .attachENI, eni: created.id)))
            }
            guard let eniId else { break }
            do {
                try await attach(eniId)
            } catch let error as CloudAPIError where error.action == "AttachNetworkInterface" && !error.isRetryable {
                // Refused (the instance's ENI slots are taken, or its state): left as it is, the
                // new ENI would stay detached in the cloud, and every retry would add one more.
                try await client.deleteNetworkInterface(eniId)
                try ledger.record(.done(intent.token))
                throw CNIError(.tryAgainLater, "attaching a new ENI to \(instance.id) was refused; the ENI was deleted",
                               details: "\(error); \(quotaText)")
            }
        case .unassign:
            guard let eniId = intent.eni, let addresses = intent.addresses else { break }
            let ipv6s = addresses.filter { $0.contains(":") }, ipv4s = addresses.filter { !$0.contains(":") }
            if !ipv6s.isEmpty {
                try await client.unassignIpv6Addresses(eniId, addresses: ipv6s)
                for var record in ledger.state.addresses.values where record.ipv6.map(ipv6s.contains) == true {
                    record.ipv6 = nil
                    try ledger.record(.address(record))
                }
            }
            if !ipv4s.isEmpty {
                try await client.unassignPrivateIpAddresses(eniId, addresses: ipv4s)
                for address in ipv4s { try ledger.record(.addressGone(address)) }
            }
        case .detachENI, .deleteENI:
            guard let eniId = intent.eni else { break }
            do {
                let eni = try await client.describeNetworkInterface(eniId)
                if eni.instanceId == instance.id, eni.status != "Available" {
                    if eni.status == "InUse" { try await client.detachNetworkInterface(eniId, from: instance.id) }
                    _ = try await client.waitForNetworkInterface(eniId, status: "Available", interval: 0.1)
                }
                try await client.deleteNetworkInterface(eniId)
            } catch let error as CloudAPIError where error.code == "InvalidEniId.NotFound" {}
            try ledger.record(.eniGone(eniId))
            links.removed(eniId)
        }
        try ledger.record(.done(intent.token))
    }

    /// Attaches an ENI of ours (unless it already is), waits for it on the node, and records
    /// it with its addresses in a free slot; its link comes up with its table's routes.
    private func attach(_ eniId: String) async throws {
        busy.insert(eniId)
        defer { busy.remove(eniId) }
        var eni = try await client.describeNetworkInterface(eniId)
        if eni.instanceId == nil || eni.status == "Available" {
            try await client.attachNetworkInterface(eniId, to: instance.id)
        }
        if eni.status != "InUse" { eni = try await client.waitForNetworkInterface(eniId, status: "InUse", interval: 0.25) }
        try await record(eni)
    }

    /// Takes an attached ENI into the ledger: slot, gateway and CIDR (from metadata), its
    /// secondary addresses idle; then its link and table on the node.
    func record(_ eni: NetworkInterface) async throws {
        var entry = ledger.state.enis[eni.id]
        if entry == nil {
            let meta = try await metadataOf(mac: eni.macAddress)
            let taken = Set(ledger.state.enis.values.map(\.slot))
            guard let slot = (1...CloudPodRouting.maximumSlot).first(where: { !taken.contains($0) }) else {
                throw CNIError(.tryAgainLater, "no ENI slot left (at most \(CloudPodRouting.maximumSlot))")
            }
            entry = PoolLedger.ENI(id: eni.id, mac: eni.macAddress, slot: slot, vSwitchId: eni.vSwitchId,
                                   gateway: meta.gateway, cidr: meta.vSwitchCIDR, ipv6Gateway: meta.ipv6Gateway, ipv6Cidr: meta.vSwitchIPv6CIDR)
            try ledger.record(.eni(entry!))
        }
        let now = Date().timeIntervalSince1970
        for address in eni.privateIPs where address != eni.primaryIP && ledger.state.addresses[address] == nil {
            try ledger.record(.address(PoolLedger.Address(address: address, eni: eni.id, owner: nil, idleSince: now)))
        }
        try pair(eni.ipv6s, on: eni.id)
        try await links.setUp(entry!)
        publishMetrics()
    }

    /// Metadata lags the API a little after an attach.
    private func metadataOf(mac: String) async throws -> ENIMetadata {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                let meta = try await metadata.eni(mac: mac)
                if !meta.gateway.isEmpty, !meta.vSwitchCIDR.isEmpty { return meta }
            } catch where ContinuousClock.now < deadline {}
            guard ContinuousClock.now < deadline else {
                throw CNIError(.tryAgainLater, "metadata does not show the ENI \(mac) 30 s after its attach")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    // MARK: Shrinking

    /// Releases in a burst (a deployment scaled down) go back in one call per ENI.
    func startTrimming() {
        guard !trimming else { return }
        trimming = true
        Task {
            try? await Task.sleep(for: Self.coalesceWindow)
            await trim()
            trimming = false
            if idleCount > settings.pool.maxIdle { startTrimming() }
        }
    }

    /// Idle addresses above `maxIdle` go back at once; above `minIdle`, once idle for `idleReclaimAfter`.
    func trim() async {
        let now = Date().timeIntervalSince1970
        let idle = ledger.state.addresses.values.filter { $0.owner == nil && !leaving.contains($0.address) }
            .sorted { ($0.idleSince, $0.address) > ($1.idleSince, $1.address) }
        let reclaimAfter = Double(settings.pool.idleReclaimAfter.components.seconds)
            + Double(settings.pool.idleReclaimAfter.components.attoseconds) / 1e18
        var surplus: [PoolLedger.Address] = []
        for (index, record) in idle.enumerated() where index >= settings.pool.minIdle {
            if index >= settings.pool.maxIdle || now - record.idleSince >= reclaimAfter { surplus.append(record) }
        }
        guard !surplus.isEmpty else { return }
        for (eniId, records) in Dictionary(grouping: surplus, by: \.eni) {
            let addresses = (records.map(\.address) + records.compactMap(\.ipv6)).sorted()
            leaving.formUnion(addresses)
            defer { leaving.subtract(addresses) }
            do {
                let intent = PoolLedger.Intent(token: Self.newToken(), action: .unassign, eni: eniId, addresses: addresses)
                try ledger.record(.intent(intent))
                try await complete(intent)
            } catch {
                lastFailure = "returning idle addresses failed: \(error)"
                logger.warning("pool: returning idle addresses failed", metadata: ["eni": "\(eniId)", "error": "\(error)"])
            }
        }
        publishMetrics()
    }

    /// An ENI of ours with no address in use, whose addresses all idled for `idleReclaimAfter`,
    /// is detached and deleted (with its addresses) when the pool keeps `minIdle` without it.
    /// The primary ENI is never in the ledger, so never a candidate.
    func reclaimENIs() async {
        let now = Date().timeIntervalSince1970
        let reclaimAfter = Double(settings.pool.idleReclaimAfter.components.seconds)
            + Double(settings.pool.idleReclaimAfter.components.attoseconds) / 1e18
        // The emptiest first: the fewest addresses go back to the cloud with it.
        for eni in enis.reversed().sorted(by: { addressCount(on: $0.id) < addressCount(on: $1.id) }) where !busy.contains(eni.id) {
            let records = ledger.state.addresses.values.filter { $0.eni == eni.id }
            guard records.allSatisfy({ $0.owner == nil && !leaving.contains($0.address) && now - $0.idleSince >= reclaimAfter }),
                  idleCount - records.count(where: isComplete) >= settings.pool.minIdle else { continue }
            let addresses = records.map(\.address)
            leaving.formUnion(addresses)
            defer { leaving.subtract(addresses) }
            logger.info("pool: deleting ENI \(eni.id), idle", metadata: ["slot": "\(eni.slot)", "addresses": "\(addresses.count)"])
            do {
                let intent = PoolLedger.Intent(token: Self.newToken(), action: .deleteENI, eni: eni.id)
                try ledger.record(.intent(intent))
                busy.insert(eni.id)
                defer { busy.remove(eni.id) }
                try await complete(intent)
            } catch {
                lastFailure = "deleting the idle ENI \(eni.id) failed: \(error)"
                logger.warning("pool: deleting an idle ENI failed", metadata: ["eni": "\(eni.id)", "error": "\(error)"])
            }
        }
        publishMetrics()
    }

    private func addressCount(on eniId: String) -> Int { ledger.state.addresses.values.count { $0.eni == eniId } }

    func publishMetrics() {
        let idle = idleCount
        CloudMetrics.pool("idle").record(idle)
        CloudMetrics.pool("inUse").record(inUseCount)
        CloudMetrics.pool("size").record(ledger.state.addresses.count)
        CloudMetrics.enis.record(ledger.state.enis.count)
    }
}
