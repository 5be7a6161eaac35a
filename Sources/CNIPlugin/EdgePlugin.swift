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
        let pod: PodInterface
        do {
            pod = try EdgeDatapath().setUp(Self.podSpec(config, request, addresses), on: Self.bridgeSpec(config))
        } catch {
            // setUp removes what it built; the addresses, all new, go back to the pool.
            _ = try? allocator.release(owner)
            throw Self.cniError(error)
        }
        return Self.result(config, request, addresses, pod)
    }

    /// Best effort: the host end goes (and with it the pair) and the attachment's addresses
    /// are released by container id and interface, whatever the rest of the config says now.
    /// Fails only when the kernel refuses the deletion or the store cannot be written.
    public func del(_ request: CNIRequest) throws {
        // CNI_NETNS is not read: a path that is gone or not a namespace still lets the host end
        // (and with it the pair) go.
        do {
            try EdgeDatapath().tearDown(containerID: request.containerID, ifName: request.ifname)
        } catch {
            throw Self.cniError(error)
        }
        // No store, nothing reserved: a dataDir ADD would refuse, or a network never used here.
        guard let directory = EdgeConfig.deletionStoreDirectory(request.config), SystemFiles.exists(directory) else { return }
        do {
            try NodeAllocator(pools: [], store: try FileStore(directory: directory))
                .release(IPAMOwner(containerID: request.containerID, ifname: request.ifname))
        } catch {
            throw CNIError(.ioFailure, "IPAM store \(directory) cannot be written: \(error)",
                           details: "the addresses of \(request.containerID)/\(request.ifname) stay reserved until DEL succeeds or GC frees them")
        }
    }

    /// Compares the pod with prevResult (SPEC.md: CHECK must tolerate what later plugins of
    /// the chain changed): our interface is the one named CNI_IFNAME in sandbox CNI_NETNS;
    /// its addresses must be what IPAM holds for the attachment and be on the interface, and
    /// every route of prevResult must be in the pod.
    public func check(_ request: CNIRequest) throws {
        let config = try EdgeConfig(request.config)
        try SystemFiles.checkNetworkNamespace(request.netns)
        let (previous, podIndex) = try request.previousAttachment()
        let ips = previous.ips.filter { ip in
            ip.interface.map { $0 == podIndex } ?? config.subnets.contains { $0.contains(ip.address.address) }
        }
        let allocator = try Self.allocator(config)
        let owner = IPAMOwner(containerID: request.containerID, ifname: request.ifname)
        let held = try Self.ipam { try allocator.addresses(of: owner) }
        let expected = ips.map(\.address.address)
        guard !held.isEmpty, Set(held) == Set(expected) else {
            throw CNIError(EdgePluginCode.drift, "IPAM holds \(held.map(\.description)) for \(owner) but prevResult lists \(expected.map(\.description))")
        }
        var pod = Self.podSpec(config, request, ips.map(\.address))
        pod.routes = previous.routes.map { PodRoute(destination: $0.destination, gateway: $0.gateway) }
        var bridge = Self.bridgeSpec(config)
        bridge.gatewayAddresses = ips.map { ip in
            ip.gateway.map { InterfaceAddress(address: $0, prefixLength: ip.address.prefixLength)! }
                ?? config.ranges.first { $0.subnet.contains(ip.address.address) }!.gatewayAddress
        }
        do {
            try EdgeDatapath().check(pod, on: bridge, containerMAC: previous.interfaces[podIndex].mac.flatMap { MACAddress($0) })
        } catch {
            throw Self.cniError(error)
        }
    }

    /// Frees every reservation (and removes every host end) of an attachment the runtime no
    /// longer lists. Without a list it changes nothing: an absent list is not an empty one.
    public func gc(_ request: CNIRequest) throws {
        guard let attachments = request.config.validAttachments else {
            throw CNIError(.invalidNetworkConfig, "GC needs the list of valid attachments in \"\(NetworkConfig.validAttachmentsKey)\"",
                           details: "or in \"\(NetworkConfig.taggedAttachmentsKey)\", the tagged 1.1.0 name; an absent list is not an empty one, so nothing was freed")
        }
        let store = try EdgeConfig.storeDirectory(request.config)
        let valid = Set(attachments.map { IPAMOwner(containerID: $0.containerID, ifname: $0.ifname) })
        let allocator = try Self.releaser(store)
        let datapath: EdgeDatapath
        do { datapath = try EdgeDatapath() } catch { throw Self.cniError(error) }
        // A pod killed mid-ADD may have left its host veth: remove it by its derived name.
        let collection = try Self.ipam {
            try allocator.collectGarbage(keeping: valid) { owner in
                try datapath.tearDown(containerID: owner.containerID, ifName: owner.ifname)
            }
        }
        guard collection.failures.isEmpty else {
            throw CNIError(EdgePluginCode.datapath, "GC could not remove \(collection.failures.count) attachments; their addresses stay reserved",
                           details: collection.failures.map { "\($0.owner): \(Self.cniError($0.error).msg)" }.joined(separator: "; "))
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
