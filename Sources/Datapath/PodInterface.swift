import NetworkCore

/// What `EdgeDatapath.setUp` built, for the CNI result's `interfaces`.
public struct PodInterface: Hashable, Sendable {
    /// The host end, on the bridge.
    public var hostName: String
    public var hostMAC: MACAddress
    /// The container end (`eth0`).
    public var containerName: String
    public var containerMAC: MACAddress
    /// The namespace path the container end lives in (the result's `sandbox`).
    public var sandbox: String
}
