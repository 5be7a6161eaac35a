import Netlink
import NetworkCore

/// The edge mode's pod networking, as the `bridge` reference plugin builds it: a bridge
/// in the node namespace holding the gateways, and per pod a veth pair whose container
/// end is created directly inside the pod's namespace.
///
/// Create one per plugin invocation, in the node namespace; it keeps one netlink socket
/// bound to that namespace and opens one more inside each pod namespace it touches.
/// Not thread-safe: use from one thread at a time.
public final class EdgeDatapath {
    let node: NetlinkSocket

    /// Opens a netlink socket in the calling thread's (the node's) namespace.
    public init() throws(DatapathError) {
        do { node = try NetlinkSocket() } catch { throw .netlink(error) }
    }

    /// The host end's name for a pod interface: `veth` + 11 hex digits of a hash of
    /// container id and interface name, so that DEL finds it without state (15 bytes).
    public static func hostInterfaceName(containerID: String, ifName: String) -> String {
        let hash = stableHash(containerID + "/" + ifName)
        let hex = String(hash & 0xFFF_FFFF_FFFF, radix: 16)
        return "veth" + String(repeating: "0", count: 11 - hex.count) + hex
    }
}
