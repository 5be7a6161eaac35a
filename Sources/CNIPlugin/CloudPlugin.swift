import CNI
import CNIProtocol
import Datapath
import Netlink
import NetworkCore

/// The cloud mode plugin: the pod's VPC addresses from the node agent's ENI warm pool, a
/// veth pair with a link-local gateway in the pod, and policy routing on the host that
/// sends the pod's traffic out of its ENI (`CloudPodRouting`). No encapsulation.
public struct CloudPlugin: CNIPluginVerbs {
    public init() {}

    public func add(_ request: CNIRequest) throws -> CNIResult {
        let config = try CloudConfig(request.config)
        try SystemFiles.checkNetworkNamespace(request.netns)
        let key = Self.key(request)
        let client = config.client
        guard case .granted(let grant) = try client.call(.allocate(key, pod: PodReference(cniArgs: request.args))) else {
            throw CNIError(.decodingFailure, "the node agent answered allocate without a grant")
        }
        let pod = Self.podSpec(config, request, grant)
        let built: PodInterface
        do {
            built = try EdgeDatapath().setUpCloudPod(pod, routing: Self.routing(grant))
        } catch DatapathError.attachmentExists(let hostName) {
            // An ADD repeated without DEL: the grant is the running pod's, it stays.
            throw EdgePlugin.cniError(DatapathError.attachmentExists(hostName: hostName))
        } catch {
            // setUpCloudPod removed what it built; the addresses go back to the pool.
            _ = try? client.send(.release(key))
            throw EdgePlugin.cniError(error)
        }
        return PodResult.build(previous: request.config.prevResult, pod: built, mtu: pod.mtu,
                               ips: pod.addresses.map { ($0, CloudPodRouting.podGateway($0.family)) }, dns: config.dns)
    }

    /// Best effort: the veth pair goes, the agent releases the addresses, then their rules go
    /// (of the addresses the agent held, prevResult lists, or the host end routed to; after the
    /// release, since the agent repairs the rules of what it holds). Fails only when the kernel
    /// refuses or the agent cannot be told.
    public func del(_ request: CNIRequest) throws {
        let client = (try? CloudConfig(request.config))?.client ?? PodAddressClient()
        let key = Self.key(request)
        var addresses = Set(request.config.prevResult?.ips.map(\.address.address) ?? [])
        if case .granted(let grant)? = try? client.send(.lookup(key)) { addresses.formUnion(grant.addresses) }
        let released: Result<PodAddressAnswer, CNIError>
        do {
            let datapath = try EdgeDatapath()
            addresses.formUnion(try datapath.cloudPodAddresses(containerID: request.containerID, ifName: request.ifname))
            try datapath.tearDown(containerID: request.containerID, ifName: request.ifname)
            released = Result { () throws(CNIError) in try client.call(.release(key)) }
            try datapath.removeRules(of: addresses, rulePriorities: Self.rulePriorities)
        } catch {
            throw EdgePlugin.cniError(error)
        }
        _ = try released.get()
    }

    /// Compares the pod with prevResult and with the agent's grant: the interface named
    /// CNI_IFNAME in sandbox CNI_NETNS holds the granted addresses, its routes and gateway
    /// neighbour entries are there, and so are the host's route, rules and ENI table.
    public func check(_ request: CNIRequest) throws {
        let config = try CloudConfig(request.config)
        try SystemFiles.checkNetworkNamespace(request.netns)
        let (previous, podIndex) = try request.previousAttachment()
        let key = Self.key(request)
        guard case .granted(let grant) = try config.client.call(.lookup(key)) else {
            throw CNIError(.decodingFailure, "the node agent answered lookup without a grant")
        }
        let listed = previous.ips.filter { $0.interface == podIndex }.map(\.address.address)
        guard Set(listed) == Set(grant.addresses) else {
            throw CNIError(EdgePluginCode.drift, "the node agent holds \(grant.addresses.map(\.description)) for \(key) but prevResult lists \(listed.map(\.description))")
        }
        var pod = Self.podSpec(config, request, grant)
        pod.routes = previous.routes.map { PodRoute(destination: $0.destination, gateway: $0.gateway) }
        do {
            try EdgeDatapath().checkCloudPod(pod, routing: Self.routing(grant),
                                             containerMAC: previous.interfaces[podIndex].mac.flatMap { MACAddress($0) })
        } catch {
            throw EdgePlugin.cniError(error)
        }
    }

    /// Tells the agent which attachments are still valid (it releases the others), then
    /// removes the rules and host ends of every pod address no valid attachment holds.
    /// Without a list it changes nothing: an absent list is not an empty one.
    public func gc(_ request: CNIRequest) throws {
        let config = try CloudConfig(request.config)
        guard let attachments = request.config.validAttachments else {
            throw CNIError(.invalidNetworkConfig, "GC needs the list of valid attachments in \"\(NetworkConfig.validAttachmentsKey)\"",
                           details: "or in \"\(NetworkConfig.taggedAttachmentsKey)\", the tagged 1.1.0 name; an absent list is not an empty one, so nothing was freed")
        }
        let keys = attachments.map { PodAttachmentKey(containerID: $0.containerID, ifName: $0.ifname) }
        let client = config.client
        _ = try client.call(.keep(keys))
        var held = Set<IPAddress>()
        for key in keys {
            switch try client.send(.lookup(key)) {
            case .granted(let grant): held.formUnion(grant.addresses)
            case .failed(let error) where error.code == .unknownContainer: continue
            case .failed(let error): throw error
            default: throw CNIError(.decodingFailure, "the node agent answered lookup without a grant")
            }
        }
        do {
            _ = try EdgeDatapath().removeCloudPods(keeping: held, rulePriorities: Self.rulePriorities)
        } catch {
            throw EdgePlugin.cniError(error)
        }
    }

    /// Available when the agent answers and its pool can serve an allocate now.
    public func status(_ request: CNIRequest) throws {
        let config = try CloudConfig(request.config)
        let answer: PodAddressAnswer
        do { answer = try config.client.send(.status) } catch {
            throw CNIError(.pluginNotAvailable, error.msg, details: error.details)
        }
        if case .failed(let error) = answer {
            throw CNIError(.pluginNotAvailable, error.msg, details: error.details)
        }
    }

    static let rulePriorities: Set<UInt32> = [UInt32(CloudPodRouting.toPodPriority), UInt32(CloudPodRouting.fromPodPriority)]

    static func key(_ request: CNIRequest) -> PodAttachmentKey {
        PodAttachmentKey(containerID: request.containerID, ifName: request.ifname)
    }

    /// The pod's addresses as host routes (/32, /128) and a default route per family via the
    /// link-local gateway.
    static func podSpec(_ config: CloudConfig, _ request: CNIRequest, _ grant: PodAddressGrant) -> PodInterfaceSpec {
        let families = grant.addresses.map(\.family)
        return PodInterfaceSpec(
            containerID: request.containerID, ifName: request.ifname, netnsPath: request.netns,
            mtu: config.mtu ?? grant.eni.mtu ?? EdgeConfig.defaultMTU,
            addresses: grant.addresses.map { InterfaceAddress(address: $0, prefixLength: $0.family.bitWidth)! },
            routes: families.map { PodRoute(destination: IPPrefix.defaultRoute($0), gateway: CloudPodRouting.podGateway($0)) })
    }

    static func routing(_ grant: PodAddressGrant) -> ENIRouting {
        let families = Set(grant.addresses.map(\.family))
        return ENIRouting(
            eniMAC: grant.eni.mac, table: UInt32(grant.eni.table),
            gateways: grant.eni.gateways.filter { families.contains($0.family) },
            subnets: grant.eni.subnets.filter { families.contains($0.family) },
            rules: CloudPodRouting.rules(for: grant).map { rule in
                Rule(family: (rule.destination ?? rule.source)!.family, priority: UInt32(rule.priority),
                     source: rule.source, destination: rule.destination, table: UInt32(rule.table))
            })
    }
}
