import CNI
import Datapath
import IPAM
import NetworkCore

/// The edge mode plugin: an address per family from the node subnet, a veth pair from the
/// pod to the node's bridge, and the gateway as the pod's default route.
public struct EdgePlugin: CNIPluginVerbs {
    public init() {}

    public func add(_ request: CNIRequest) throws -> CNIResult {
        let config = try EdgeConfig(request.config)
        try SystemFiles.checkNetworkNamespace(request.netns)
        let allocator = try Self.allocator(config)
        let owner = IPAMOwner(containerID: request.containerID, ifname: request.ifname)
        let addresses = try Self.ipam { try allocator.allocate(for: owner, reuse: false) }
        let datapath: EdgeDatapath
        let pod: PodInterface
        do {
            datapath = try EdgeDatapath()
            pod = try datapath.setUp(Self.podSpec(config, request, addresses), on: Self.bridgeSpec(config))
        } catch {
            // setUp removes what it built; the addresses, all new, go back to the pool.
            _ = try? allocator.release(owner)
            throw Self.cniError(error)
        }
        return Self.result(config, request, addresses, pod)
    }

    public func del(_ request: CNIRequest) throws {
        let store = try EdgeConfig.storeDirectory(request.config)
        // A path that is gone or not a namespace still lets the host end (and with it the pair) go.
        let netns = request.netns.isEmpty || !SystemFiles.isNetworkNamespace(request.netns) ? nil : request.netns
        do {
            try EdgeDatapath().tearDown(containerID: request.containerID, ifName: request.ifname, netnsPath: netns)
        } catch {
            throw Self.cniError(error)
        }
        let allocator = try Self.releaser(store)
        try Self.ipam { try allocator.release(IPAMOwner(containerID: request.containerID, ifname: request.ifname)) }
    }

    public func check(_ request: CNIRequest) throws {
        let config = try EdgeConfig(request.config)
        try SystemFiles.checkNetworkNamespace(request.netns)
        guard let previous = request.config.prevResult else {
            throw CNIError(.invalidNetworkConfig, "CHECK needs prevResult", details: "pass the Result of ADD as prevResult")
        }
        let allocator = try Self.allocator(config)
        let owner = IPAMOwner(containerID: request.containerID, ifname: request.ifname)
        let held = try Self.ipam { try allocator.addresses(of: owner) }
        let expected = previous.ips.map(\.address.address).filter { address in config.subnets.contains { $0.contains(address) } }
        guard !held.isEmpty, Set(held) == Set(expected) else {
            throw CNIError(EdgePluginCode.drift, "IPAM holds \(held.map(\.description)) for \(owner) but prevResult lists \(expected.map(\.description))")
        }
        let addresses = held.map { address in
            InterfaceAddress(address: address, prefixLength: config.subnets.first { $0.contains(address) }!.length)!
        }
        do {
            try EdgeDatapath().check(Self.podSpec(config, request, addresses), on: Self.bridgeSpec(config))
        } catch {
            throw Self.cniError(error)
        }
    }

    public func gc(_ request: CNIRequest) throws {
        let store = try EdgeConfig.storeDirectory(request.config)
        let valid = Set((request.config.validAttachments ?? []).map { IPAMOwner(containerID: $0.containerID, ifname: $0.ifname) })
        let allocator = try Self.releaser(store)
        let freed = try Self.ipam { try allocator.collectGarbage(keeping: valid) }
        // A pod killed mid-ADD may have left its host veth: remove it by its derived name.
        let owners = Set(freed.compactMap(\.owner))
        guard !owners.isEmpty else { return }
        do {
            let datapath = try EdgeDatapath()
            for owner in owners {
                try datapath.tearDown(containerID: owner.containerID, ifName: owner.ifname, netnsPath: nil)
            }
        } catch {
            throw Self.cniError(error)
        }
    }

    public func status(_ request: CNIRequest) throws {
        let config: EdgeConfig
        do { config = try EdgeConfig(request.config) } catch {
            // A subnet file not written yet means no ADD can succeed for now.
            throw error.code == .tryAgainLater ? CNIError(.pluginNotAvailable, error.msg, details: error.details) : error
        }
        let allocator: NodeAllocator
        let free: Bool
        do {
            allocator = try Self.allocator(config)
            free = try allocator.hasFreeAddresses()
        } catch {
            throw CNIError(.pluginNotAvailable, "IPAM store \(config.storeDirectory) is not usable", details: "\(error)")
        }
        guard free else {
            throw CNIError(.pluginNotAvailable, "no free pod address in \(config.subnets.map(\.description).joined(separator: ", "))",
                           details: "delete unused pods or give the node a larger subnet")
        }
    }
}
