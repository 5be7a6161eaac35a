import Netlink
import NetworkCore

/// Why the pod data path could not be built or checked.
public enum DatapathError: Error, CustomStringConvertible {
    /// The path exists but is not a network namespace (not on nsfs, or another kind of namespace).
    case notANetworkNamespace(path: String)
    /// The namespace path does not exist (ADD and CHECK fail; DEL treats it as done).
    case namespaceMissing(path: String)
    /// The spec cannot be applied as given (name too long, address family without gateway...).
    case invalidSpec(String)
    /// CHECK found the pod's network different from what ADD built.
    case drift(String)
    /// The bridge holds global addresses that are not this network's gateways.
    case staleBridgeAddresses(bridge: String, addresses: [InterfaceAddress])
    /// The attachment's host end exists already: an ADD repeated without DEL. Nothing was changed.
    case attachmentExists(hostName: String)
    /// The pod's namespace has an interface named like the one to create; nothing was changed.
    case containerInterfaceExists(ifName: String, netnsPath: String)
    /// A link the pod needs is not there (the ENI of a cloud pod's addresses).
    case linkMissing(String)
    /// The kernel or a system call refused; the underlying error keeps errno, operation and extack.
    case netlink(NetlinkError)
    /// A system call outside netlink failed (open, fstatfs).
    case system(call: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .notANetworkNamespace(let path): "\(path) is not a network namespace"
        case .namespaceMissing(let path): "network namespace \(path) does not exist"
        case .invalidSpec(let reason): "invalid interface spec: \(reason)"
        case .drift(let what): "pod network drifted: \(what)"
        case .staleBridgeAddresses(let bridge, let addresses):
            "\(bridge) holds \(addresses.map(\.description).joined(separator: ", ")), not a gateway of this network's subnets"
        case .attachmentExists(let hostName): "the attachment's host interface \(hostName) exists already"
        case .containerInterfaceExists(let ifName, let netnsPath): "\(netnsPath) has an interface \(ifName) already"
        case .linkMissing(let what): what
        case .netlink(let error): error.description
        case .system(let call, let path, let errno): "\(call) \(path): \(systemErrorText(errno))"
        }
    }
}

extension DatapathError {
    /// The plugin's view of a namespace failure.
    init(_ error: NamespaceError) {
        switch error {
        case .invalidPath: self = .invalidSpec(error.description)
        case .missing(let path): self = .namespaceMissing(path: path)
        case .notANetworkNamespace(let path): self = .notANetworkNamespace(path: path)
        case .system(let call, let path, let errno): self = .system(call: call, path: path, errno: errno)
        case .cannotEnter(let path, let errno): self = .system(call: "setns", path: path, errno: errno)
        }
    }
}
