import NetworkCore

/// The node's pod bridge (`cni0`): what `EdgeDatapath.ensureBridge` makes true in the
/// node namespace the plugin runs in.
public struct BridgeSpec: Hashable, Sendable {
    /// Link name, at most 15 bytes (`cni0`).
    public var name: String
    /// MTU of the bridge; nil leaves the kernel's choice (the bridge follows its ports).
    public var mtu: Int?
    /// The pods' gateways, assigned to the bridge (`10.0.3.1/24`, `fd00:0:3::1/64`).
    public var gatewayAddresses: [InterfaceAddress]
    /// Whether pod ports reflect frames back out the port they came in on, so that a pod
    /// can reach itself through a service address.
    public var hairpin: Bool
    /// Whether global addresses on the bridge other than `gatewayAddresses` (an older lease,
    /// flannel's gateway) are removed; otherwise their presence fails ADD, as in the
    /// reference `bridge`, since their subnet routes would blackhole another node's pods.
    public var forceAddress: Bool

    public init(name: String = "cni0", mtu: Int? = nil, gatewayAddresses: [InterfaceAddress], hairpin: Bool = true,
                forceAddress: Bool = false) {
        self.name = name
        self.mtu = mtu
        self.gatewayAddresses = gatewayAddresses
        self.hairpin = hairpin
        self.forceAddress = forceAddress
    }
}
