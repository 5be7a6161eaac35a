import NetworkCore

/// One change for the kernel table: a prefix now goes through a next hop, or is gone.
public enum KernelRouteChange: Hashable, Sendable {
    case install(IPPrefix, via: KernelNextHop)
    case remove(IPPrefix)

    public var prefix: IPPrefix {
        switch self {
        case .install(let prefix, _), .remove(let prefix): prefix
        }
    }
}

/// A gateway, and the device when the gateway alone does not say it (a link-local address).
public struct KernelNextHop: Hashable, Sendable, CustomStringConvertible {
    public var gateway: IPAddress
    /// Interface index (RTA_OIF).
    public var device: Int32?

    public init(gateway: IPAddress, device: Int32? = nil) {
        self.gateway = gateway
        self.device = device
    }

    public var description: String { device.map { "\(gateway) dev \($0)" } ?? "\(gateway)" }
}
