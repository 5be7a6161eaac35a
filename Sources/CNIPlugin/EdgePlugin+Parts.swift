import CNI
import Datapath
import IPAM
import NetworkCore

extension EdgePlugin {
    static func allocator(_ config: EdgeConfig) throws -> NodeAllocator {
        try ipam {
            let pools = try config.subnets.map { subnet throws(IPAMError) in
                try AddressPool(subnet: subnet, exclusions: config.exclusions.filter { subnet.contains($0) })
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
        BridgeSpec(name: config.bridge, mtu: config.mtu, gatewayAddresses: config.gateways, hairpin: config.hairpin)
    }

    static func podSpec(_ config: EdgeConfig, _ request: CNIRequest, _ addresses: [InterfaceAddress]) -> PodInterfaceSpec {
        PodInterfaceSpec(containerID: request.containerID, ifName: request.ifname, netnsPath: request.netns, mtu: config.mtu,
                         addresses: addresses, routes: routes(config))
    }

    static func routes(_ config: EdgeConfig) -> [PodRoute] {
        config.routes.map { route in
            PodRoute(destination: route.destination,
                     gateway: route.gateway ?? config.gateways.first { $0.family == route.destination.family }?.address)
        }
    }

    /// The newest-format Result: the previous plugins' part first (chaining), then our host
    /// and container interfaces, addresses and routes.
    static func result(_ config: EdgeConfig, _ request: CNIRequest, _ addresses: [InterfaceAddress], _ pod: PodInterface) -> CNIResult {
        var result = request.config.prevResult ?? CNIResult()
        let base = result.interfaces.count
        result.interfaces.append(.init(name: pod.hostName, mac: pod.hostMAC.description))
        result.interfaces.append(.init(name: pod.containerName, mac: pod.containerMAC.description, mtu: config.mtu, sandbox: pod.sandbox))
        for address in addresses {
            let gateway = config.gateways.first { $0.family == address.family }?.address
            result.ips.append(.init(address: address, gateway: gateway, interface: base + 1))
        }
        for route in routes(config) {
            result.routes.append(.init(destination: route.destination, gateway: route.gateway))
        }
        if let dns = config.dns { result.dns = dns }
        return result
    }

    /// Datapath failures: a bad namespace is the runtime's input (4), drift is CHECK's finding,
    /// the rest is the kernel refusing (plugin code 100).
    static func cniError(_ error: any Error) -> CNIError {
        if let error = error as? CNIError { return error }
        guard let error = error as? DatapathError else { return CNIError(.internalError, "\(error)") }
        switch error {
        case .notANetworkNamespace, .namespaceMissing: return CNIError(.invalidEnvironment, error.description)
        case .drift: return CNIError(EdgePluginCode.drift, error.description)
        case .invalidSpec: return CNIError(.invalidNetworkConfig, error.description)
        case .netlink, .system: return CNIError(EdgePluginCode.datapath, error.description)
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
