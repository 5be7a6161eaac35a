import CNIProtocol
import CNetlink
import Datapath
import Foundation
import Logging
import Netlink
import NetworkCore
import Synchronization

/// What the cloud role keeps on the node: each ENI's link up with its table (the vSwitch
/// CIDR on the link, the default route via the vSwitch gateway), and each pod's policy
/// rules and host route (`CloudPodRouting`), put back when someone deletes them. The plugin
/// installs a pod's rules and route at ADD; once they were seen in the kernel they are the
/// agent's to keep, so a repair never races an ADD in progress. A released grant's rules and
/// host route go with it, whether the plugin's DEL came first or not.
final class CloudNodeLinks: Sendable {
    private let namespace: NetworkNamespace?
    private let logger: Logger
    private let state = Mutex(Wanted())
    private let stopping = Mutex(false)
    /// Held by a repair pass and by a release: a pass never puts back what a release took
    /// away after the pass read what it wants.
    private let changing = Mutex(())

    struct Wanted: Sendable {
        var enis: [String: PoolLedger.ENI] = [:]
        var grants: [PodAttachmentKey: PodAddressGrant] = [:]
        /// Rules and host routes (by description) of each grant seen installed at least once.
        var seen: [PodAttachmentKey: Set<String>] = [:]
        var repaired = 0
    }

    /// `namespace`: the node's (nil: the agent's own).
    init(namespace: NetworkNamespace?, logger: Logger) {
        self.namespace = namespace
        self.logger = logger
    }

    private func socket() throws -> NetlinkSocket {
        try namespace?.openNetlinkSocket() ?? NetlinkSocket()
    }

    /// Repairs done so far (rules and routes put back).
    var repaired: Int { state.withLock { $0.repaired } }

    /// Brings an ENI's link up and installs its table; waits (up to 10 s) for the link to appear.
    func setUp(_ eni: PoolLedger.ENI) async throws {
        state.withLock { $0.enis[eni.id] = eni }
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            if try installTable(eni, socket: try socket()) { return }
            guard ContinuousClock.now < deadline else {
                throw LedgerError(description: "no link with the MAC \(eni.mac) of \(eni.id) appeared on the node 10 s after its attach")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func granted(_ key: PodAttachmentKey, _ grant: PodAddressGrant) {
        state.withLock { $0.grants[key] = grant }
    }

    /// The ENI is gone (deleted, or lost): its table is no longer kept. Its routes left the
    /// kernel with its link.
    func removed(_ eniId: String) {
        state.withLock { _ = $0.enis.removeValue(forKey: eniId) }
    }

    /// Forgets the grant and deletes its rules and host route where still present.
    func released(_ key: PodAttachmentKey) {
        changing.withLock { _ in
            let grant = state.withLock {
                $0.seen[key] = nil
                return $0.grants.removeValue(forKey: key)
            }
            guard let grant else { return }
            do { _ = try removeHostState(of: key, grant, socket: try socket()) } catch {
                logger.warning("cloud routes: removing a released pod's rules failed", metadata: ["pod": "\(key)", "error": "\(error)"])
            }
        }
    }

    /// What the plugin installed for the grant, gone (the plugin's DEL may have taken some
    /// already); returns the rules and routes deleted.
    private func removeHostState(of key: PodAttachmentKey, _ grant: PodAddressGrant, socket: NetlinkSocket) throws -> (rules: Int, routes: Int) {
        var rules = 0, routes = 0
        for rule in CloudPodRouting.rules(for: grant) {
            do throws(NetlinkError) { try socket.deleteRule(Self.netlinkRule(rule)); rules += 1 } catch {
                if !error.isNotFound { throw error }
            }
        }
        let hostName = EdgeDatapath.hostInterfaceName(containerID: key.containerID, ifName: key.ifName)
        guard let veth = try socket.listLinks().first(where: { $0.name == hostName }) else { return (rules, routes) }
        for address in grant.addresses {
            let host = IPPrefix(network: address, length: address.family.bitWidth)!
            do throws(NetlinkError) { try socket.deleteRoute(KernelRoute(destination: host, outputInterface: veth.index)); routes += 1 } catch {
                if !error.isNotFound { throw error }
            }
        }
        return (rules, routes)
    }

    /// `--cleanup`: the grants' rules and host routes, any other pod rule of ours (toward an
    /// ENI table, or to an address of an ENI's vSwitch), and the ENI tables' routes.
    func removeAll(enis: [PoolLedger.ENI], grants: [PodAttachmentKey: PodAddressGrant]) throws -> (rules: Int, routes: Int) {
        let socket = try socket()
        var rules = 0, routes = 0
        for (key, grant) in grants {
            let removed = try removeHostState(of: key, grant, socket: socket)
            rules += removed.rules
            routes += removed.routes
        }
        let tables = Set(enis.map { UInt32(CloudPodRouting.table(slot: $0.slot)) })
        let subnets = enis.flatMap { [IPPrefix($0.cidr), $0.ipv6Cidr.flatMap(IPPrefix.init)].compactMap { $0 } }
        for rule in try socket.listRules(family: .v4) + socket.listRules(family: .v6) {
            let fromPod = rule.priority == UInt32(CloudPodRouting.fromPodPriority) && tables.contains(rule.table)
            let toPod = rule.priority == UInt32(CloudPodRouting.toPodPriority) && rule.table == KernelRoute.mainTable
                && rule.destination.map { destination in subnets.contains { $0.contains(destination) } } == true
            guard fromPod || toPod else { continue }
            do throws(NetlinkError) { try socket.deleteRule(rule); rules += 1 } catch { if !error.isNotFound { throw error } }
        }
        for table in tables {
            for route in try socket.listRoutes(family: .v4, table: table) + socket.listRoutes(family: .v6, table: table) {
                do throws(NetlinkError) { try socket.deleteRoute(route); routes += 1 } catch { if !error.isNotFound { throw error } }
            }
        }
        return (rules, routes)
    }

    /// false: the link is not there (yet).
    private func installTable(_ eni: PoolLedger.ENI, socket: NetlinkSocket) throws -> Bool {
        guard let mac = MACAddress(eni.mac), let cidr = IPPrefix(eni.cidr), let gateway = IPAddress(eni.gateway) else {
            throw LedgerError(description: "the ledger's ENI \(eni.id) has a bad MAC, CIDR or gateway")
        }
        guard let link = try socket.listLinks().first(where: { $0.mac == mac }) else { return false }
        if !link.isUp {
            // No duplicate address detection on a dual-stack ENI: its link-local address would
            // stay tentative for a second or more, sending no neighbour solicitation, so the
            // first IPv6 packets of the pods on it would be lost.
            if eni.ipv6Cidr != nil {
                let key = "net.ipv6.conf.\(link.name).accept_dad"
                if let namespace { try namespace.writeSysctl(key, "0") } else { try Sysctl.write(key, "0") }
            }
            try socket.setLinkUp(link.name)
        }
        let table = UInt32(CloudPodRouting.table(slot: eni.slot))
        // The CIDR first: the kernel checks the gateway against the table the route goes in.
        try socket.replaceRoute(KernelRoute(destination: cidr, outputInterface: link.index, table: table, scope: UInt8(RT_SCOPE_LINK.rawValue)))
        let anywhere = IPPrefix(network: gateway.family == .v4 ? IPAddress("0.0.0.0")! : IPAddress("::")!, length: 0)!
        try socket.replaceRoute(KernelRoute(destination: anywhere, gateway: gateway, outputInterface: link.index, table: table))
        // A dual-stack vSwitch: the same pair of routes for IPv6.
        if let cidr = eni.ipv6Cidr.flatMap(IPPrefix.init), let gateway = eni.ipv6Gateway.flatMap(IPAddress.init) {
            try socket.replaceRoute(KernelRoute(destination: cidr, outputInterface: link.index, table: table))
            try socket.replaceRoute(KernelRoute(destination: IPPrefix(network: IPAddress("::")!, length: 0)!, gateway: gateway,
                                                outputInterface: link.index, table: table))
        }
        return true
    }

    private static func netlinkRule(_ rule: CloudPodRouting.Rule) -> Rule {
        Rule(family: (rule.source ?? rule.destination)?.family ?? .v4, priority: UInt32(rule.priority),
             source: rule.source, destination: rule.destination, table: UInt32(rule.table))
    }

    /// Starts the repair thread: a monitor of rules, routes and links wakes it at once;
    /// a full pass runs at least every second.
    func startRepairing() throws {
        let socket = try socket()
        let monitor = try namespace?.openNetlinkMonitor(groups: [.ipv4Rule, .ipv6Rule, .ipv4Route, .ipv6Route, .link])
            ?? NetlinkMonitor(groups: [.ipv4Rule, .ipv6Rule, .ipv4Route, .ipv6Route, .link])
        monitor.ignoredPortIDs = [socket.portID]
        let tools = ThreadOwned(socket: socket, monitor: monitor)
        let thread = Thread { [self] in
            let socket = tools.socket, monitor = tools.monitor
            while !stopping.withLock({ $0 }) {
                // Drain what is pending, then one pass.
                _ = try? monitor.next(timeout: .seconds(1))
                while (try? monitor.next(timeout: .zero)) ?? nil != nil {}
                do { try repairPass(socket) } catch {
                    logger.warning("cloud routes: repair pass failed", metadata: ["error": "\(error)"])
                }
            }
        }
        thread.name = "cloud-routes"
        thread.start()
    }

    func stop() { stopping.withLock { $0 = true } }

    /// One pass: ENI tables; each grant's rules and host route, put back if seen before.
    func repairPass(_ socket: NetlinkSocket) throws {
        try changing.withLock { _ throws in try repairPass(socket, wanted: state.withLock { $0 }) }
    }

    private func repairPass(_ socket: NetlinkSocket, wanted: Wanted) throws {
        for eni in wanted.enis.values { _ = try? installTable(eni, socket: socket) }
        let rules = Set(try socket.listRules(family: .v4) + socket.listRules(family: .v6))
        let links = Dictionary(try socket.listLinks().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let routes = try socket.listRoutes(family: .v4) + socket.listRoutes(family: .v6)
        var seen: [PodAttachmentKey: Set<String>] = [:]
        var repaired = 0
        for (key, grant) in wanted.grants {
            let before = wanted.seen[key] ?? []
            for rule in CloudPodRouting.rules(for: grant) {
                let name = "rule \(rule)"
                let kernel = Self.netlinkRule(rule)
                if rules.contains(where: { $0.priority == kernel.priority && $0.source == kernel.source
                    && $0.destination == kernel.destination && $0.table == kernel.table }) {
                    seen[key, default: []].insert(name)
                } else if before.contains(name) {
                    do throws(NetlinkError) { try socket.addRule(kernel) } catch {
                        // The plugin (a retried ADD) may have put it back first.
                        if !error.isExists { throw error }
                    }
                    repaired += 1
                    logger.info("cloud routes: rule put back", metadata: ["rule": "\(rule)", "pod": "\(key)"])
                }
            }
            let hostName = EdgeDatapath.hostInterfaceName(containerID: key.containerID, ifName: key.ifName)
            guard let veth = links[hostName] else { continue }
            for address in grant.addresses {
                let name = "route \(address)"
                let host = IPPrefix(network: address, length: address.family.bitWidth)!
                if routes.contains(where: { $0.destination == host && $0.outputInterface == veth.index }) {
                    seen[key, default: []].insert(name)
                } else if before.contains(name) {
                    try socket.replaceRoute(KernelRoute(destination: host, outputInterface: veth.index, scope: UInt8(RT_SCOPE_LINK.rawValue)))
                    repaired += 1
                    logger.info("cloud routes: host route put back", metadata: ["address": "\(address)", "pod": "\(key)"])
                }
            }
        }
        state.withLock { current in
            // Only grants still held: one released meanwhile keeps nothing.
            for (key, names) in seen where current.grants[key] != nil { current.seen[key, default: []].formUnion(names) }
            current.repaired += repaired
        }
    }
}

/// A netlink socket and monitor handed to the repair thread, the only one that uses them.
private final class ThreadOwned: @unchecked Sendable {
    let socket: NetlinkSocket
    let monitor: NetlinkMonitor

    init(socket: NetlinkSocket, monitor: NetlinkMonitor) {
        self.socket = socket
        self.monitor = monitor
    }
}
