import NetworkCore

/// What `EdgeDatapath.setUp` or `setUpCloudPod` built, for the CNI result's `interfaces`.
public struct PodInterface: Hashable, Sendable {
    /// The node bridge the host end is on; nil in cloud mode, where the host routes to it.
    public var bridgeName: String?
    public var bridgeMAC: MACAddress?
    /// The host end.
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
