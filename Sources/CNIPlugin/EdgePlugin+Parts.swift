import CNI
import Datapath
import IPAM
import NetworkCore

extension EdgePlugin {
    static func allocator(_ config: EdgeConfig) throws -> NodeAllocator {
        try ipam {
            let pools = try config.ranges.map { range throws(IPAMError) in
                try AddressPool(subnet: range.subnet, gateway: range.gateway, exclusions: config.exclusions.filter { range.subnet.contains($0) },
                                rangeStart: range.rangeStart, rangeEnd: range.rangeEnd)
            }
            return try NodeAllocator(pools: pools, store: try FileStore(directory: config.storeDirectory))
        }
    }

    /// An allocator without pools, for DEL and GC: releasing needs only the store.
    static func releaser(_ storeDirectory: String) throws -> NodeAllocator {
        try ipam { try NodeAllocator(pools: [], store: try FileStore(directory: storeDirectory)) }
    }

    /// Runs IPAM work, giving its errors their spec codes. Its result is `body`'s, as
    /// discardable as the IPAM call's own.
    @discardableResult
    static func ipam<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as IPAMError {
            switch error {
            // Exhaustion clears as pods are deleted; the runtime retries the ADD.
            case .exhausted:
                throw CNIError(.tryAgainLater, error.description, details: "delete unused pods or give the node a larger subnet")
            case .alreadyAllocated:
                throw CNIError(EdgePluginCode.duplicateAttachment, error.description, details: "run DEL for this attachment before adding it again")
            case .invalidPool: throw CNIError(.invalidNetworkConfig, error.description)
            case .io(_, _, let code): throw CNIError(.ioFailure, error.description, details: SystemFiles.errnoText(code))
            }
        }
    }

    static func bridgeSpec(_ config: EdgeConfig) -> BridgeSpec {
        BridgeSpec(name: config.bridge, mtu: config.mtu, gatewayAddresses: config.gateways, hairpin: config.hairpin,
                   forceAddress: config.forceAddress)
    }

    static func podSpec(_ config: EdgeConfig, _ request: CNIRequest, _ addresses: [InterfaceAddress]) -> PodInterfaceSpec {
        PodInterfaceSpec(containerID: request.containerID, ifName: request.ifname, netnsPath: request.netns, mtu: config.mtu,
                         addresses: addresses, routes: routes(config, addresses))
    }

    /// A route without its own gateway goes via the gateway of the pod's range of its family.
    static func routes(_ config: EdgeConfig, _ addresses: [InterfaceAddress]) -> [PodRoute] {
        config.routes.map { route in
            let address = addresses.first { $0.family == route.destination.family }
            return PodRoute(destination: route.destination,
                            gateway: route.gateway ?? address.flatMap { gateway(config, of: $0) })
        }
    }

    static func gateway(_ config: EdgeConfig, of address: InterfaceAddress) -> IPAddress? {
        config.ranges.first { $0.subnet.contains(address.address) }?.gateway
    }

    /// The newest-format Result, as the reference `bridge` lists it: the bridge, the host
    /// end and the container end, our addresses with their range's gateway, the routes this ADD added.
    static func result(_ config: EdgeConfig, _ request: CNIRequest, _ addresses: [InterfaceAddress], _ pod: PodInterface) -> CNIResult {
        PodResult.build(previous: request.config.prevResult, pod: pod, mtu: config.mtu,
                        ips: addresses.map { ($0, gateway(config, of: $0)) }, dns: config.dns)
    }

    /// Datapath failures: a bad namespace or an interface name the pod has already is the
    /// runtime's input (4), drift is CHECK's finding, the rest is the kernel refusing (plugin
    /// code 100).
    static func cniError(_ error: any Error) -> CNIError {
        if let error = error as? CNIError { return error }
        guard let error = error as? DatapathError else { return CNIError(.internalError, "\(error)") }
        switch error {
        case .notANetworkNamespace, .namespaceMissing: return CNIError(.invalidEnvironment, error.description)
        case .drift: return CNIError(EdgePluginCode.drift, error.description)
        case .staleBridgeAddresses(let bridge, let addresses):
            let list = addresses.map(\.description).joined(separator: ", ")
            return CNIError(EdgePluginCode.datapath, error.description,
                            details: "remove \(list) from \(bridge) (ip addr del ADDRESS dev \(bridge)) or set \"forceAddress\": true to replace it and its subnet route")
        case .invalidSpec: return CNIError(.invalidNetworkConfig, error.description)
        case .attachmentExists: return CNIError(EdgePluginCode.duplicateAttachment, error.description,
                                                details: "run DEL for this attachment before adding it again")
        case .containerInterfaceExists(let ifName, _):
            return CNIError(.invalidEnvironment, "CNI_IFNAME \(ifName) cannot be used: \(error.description)",
                            details: "pass another CNI_IFNAME, or remove \(ifName) from the pod")
        case .netlink, .system: return CNIError(EdgePluginCode.datapath, error.description)
        // The ENI of a grant not plugged yet: the agent grants only attached ENIs, so this clears.
        case .linkMissing: return CNIError(.tryAgainLater, error.description)
        }
    }
}

/// This plugin's own error codes (the spec leaves 100 and up to plugins).
public enum EdgePluginCode {
    /// The kernel refused to build or remove part of the pod's network.
    public static let datapath = CNIErrorCode(rawValue: 100)
    /// CHECK found the pod's network different from what ADD built.
    public static let drift = CNIErrorCode(rawValue: 101)
    /// ADD for a container interface that already has addresses (no DEL in between).
    public static let duplicateAttachment = CNIErrorCode(rawValue: 102)
}
