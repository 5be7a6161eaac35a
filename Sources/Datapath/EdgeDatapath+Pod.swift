import Netlink
import NetworkCore

extension EdgeDatapath {
    /// ADD: creates the veth pair (container end named `pod.ifName` directly in the pod's
    /// namespace), sets MTU, MACs, addresses and routes in the pod, and puts the host end on
    /// the bridge (hairpin as the bridge says) and up. Calls `ensureBridge` first.
    /// On failure, removes whatever it created.
    public func setUp(_ pod: PodInterfaceSpec, on bridge: BridgeSpec) throws(DatapathError) -> PodInterface {
        throw .invalidSpec("setUp is being implemented")
    }

    /// DEL: removes the pod's veth pair. Idempotent: a missing namespace (or nil path) or a
    /// missing interface is success.
    public func tearDown(containerID: String, ifName: String, netnsPath: String?) throws(DatapathError) {
        throw .invalidSpec("tearDown is being implemented")
    }

    /// CHECK: verifies that the container end exists in the pod namespace with the
    /// expected addresses and routes, is up, and that the host end is on the bridge and up.
    /// Throws `.drift` naming what differs.
    public func check(_ pod: PodInterfaceSpec, on bridge: BridgeSpec) throws(DatapathError) {
        throw .invalidSpec("check is being implemented")
    }
}
