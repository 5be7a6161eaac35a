import NetworkCore

/// What `EdgeDatapath.setUp` built, for the CNI result's `interfaces`.
public struct PodInterface: Hashable, Sendable {
    /// The node bridge the host end is on.
    public var bridgeName: String
    public var bridgeMAC: MACAddress?
    /// The host end, on the bridge.
    public var hostName: String
    public var hostMAC: MACAddress
    /// The container end (`eth0`).
    public var containerName: String
    public var containerMAC: MACAddress
    /// The namespace path the container end lives in (the result's `sandbox`).
    public var sandbox: String
    /// The routes this ADD added in the pod (those the pod already had are not among them).
    public var routes: [PodRoute]
}
