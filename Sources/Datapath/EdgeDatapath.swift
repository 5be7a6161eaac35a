import Glibc
import Netlink
import NetworkCore

/// The pod networking of both modes: per pod a veth pair whose container end is created
/// directly inside the pod's namespace. The edge mode puts the host end on a bridge holding
/// the gateways, as the `bridge` reference plugin does (`+Pod`, `+Bridge`); the cloud mode
/// routes to the host end and steers the pod's traffic into its ENI's table (`+Cloud`).
///
/// Create one per plugin invocation; it keeps one netlink socket bound to the node
/// namespace and opens one more inside each pod namespace it touches.
/// Not thread-safe: use from one thread at a time.
public final class EdgeDatapath {
    let node: NetlinkSocket
    /// The node namespace when it is not the caller's (tests, the lab); nil: the calling thread's.
    let nodeNamespace: NetworkNamespace?

    /// Works on the bridge in `nodeNamespace`, or in the calling thread's namespace (the
    /// plugin's case) when nil.
    public init(nodeNamespace: NetworkNamespace? = nil) throws(DatapathError) {
        self.nodeNamespace = nodeNamespace
        if let nodeNamespace {
            node = try Self.socket(in: nodeNamespace)
        } else {
            do { node = try NetlinkSocket() } catch { throw .netlink(error) }
        }
    }

    /// A netlink socket bound to `namespace`: one short-lived thread and setns, after which
    /// every request goes straight there. `alsoInside` runs on that thread first (sysctls of
    /// the namespace, without a second switch).
    static func socket(in namespace: NetworkNamespace, alsoInside: () throws -> Void = {}) throws(DatapathError) -> NetlinkSocket {
        do {
            return try namespace.run {
                try alsoInside()
                return try NetlinkSocket()
            }
        } catch let error as NetlinkError {
            throw .netlink(error)
        } catch let error as NamespaceError {
            throw DatapathError(error)
        } catch {
            throw .system(call: "open netlink socket in", path: namespace.path, errno: EIO)
        }
    }

    /// A dump, read again when a concurrent change interrupted it (NLM_F_DUMP_INTR: other
    /// pods' ADDs and DELs change links, routes and rules all the time on a busy node).
    func dump<T>(_ body: () throws -> T) throws(DatapathError) -> T {
        for _ in 0..<9 {
            do { return try body() } catch NetlinkError.dumpInterrupted { continue } catch { break }
        }
        return try netlink(body)
    }

    /// Routing between pods and out of the node needs forwarding on; write only when off.
    func enableForwarding(ipv6: Bool) throws(DatapathError) {
        let keys = ["net.ipv4.ip_forward"] + (ipv6 ? ["net.ipv6.conf.all.forwarding"] : [])
        for key in keys {
            try netlink {
                if let nodeNamespace {
                    if try nodeNamespace.readSysctl(key) != "1" { try nodeNamespace.writeSysctl(key, "1") }
                } else if try Sysctl.read(key) != "1" {
                    try Sysctl.write(key, "1")
                }
            }
        }
    }

    /// The host end's name for a pod interface: `veth` + 11 hex digits of a hash of
    /// container id and interface name, so that DEL finds it without state (15 bytes).
    public static func hostInterfaceName(containerID: String, ifName: String) -> String {
        let hash = FNV1a.hash((containerID + "/" + ifName).utf8)
        let hex = String(hash & 0xFFF_FFFF_FFFF, radix: 16)
        return "veth" + String(repeating: "0", count: 11 - hex.count) + hex
    }
}
