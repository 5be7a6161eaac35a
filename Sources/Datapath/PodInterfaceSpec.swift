import NetworkCore

/// One pod interface to build: a veth pair whose host end joins the bridge and whose
/// container end lives in the pod's namespace with the pod's addresses and routes.
public struct PodInterfaceSpec: Hashable, Sendable {
    /// CNI_CONTAINERID; with `ifName` it names the host end (see `EdgeDatapath.hostInterfaceName`).
    public var containerID: String
    /// CNI_IFNAME, the container end's name (`eth0`), at most 15 bytes.
    public var ifName: String
    /// CNI_NETNS, a path to the pod's network namespace (`/var/run/netns/x`, `/proc/N/ns/net`).
    public var netnsPath: String
    /// MTU of both ends.
    public var mtu: Int
    /// The pod's addresses with their subnet's length (`10.0.3.7/24`).
    public var addresses: [InterfaceAddress]
    /// Routes in the pod: usually `0.0.0.0/0` and `::/0` via the bridge's gateway addresses.
    public var routes: [PodRoute]

    public init(containerID: String, ifName: String, netnsPath: String, mtu: Int = 1500,
                addresses: [InterfaceAddress], routes: [PodRoute]) {
        self.containerID = containerID
        self.ifName = ifName
        self.netnsPath = netnsPath
        self.mtu = mtu
        self.addresses = addresses
        self.routes = routes
    }
}

/// A route inside the pod: to `destination` via `gateway`, or on-link when the gateway is nil.
public struct PodRoute: Hashable, Sendable {
    public var destination: IPPrefix
    public var gateway: IPAddress?

    public init(destination: IPPrefix, gateway: IPAddress?) {
        self.destination = destination
        self.gateway = gateway
    }
}
