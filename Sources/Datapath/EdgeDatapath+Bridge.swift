import Netlink
import NetworkCore

extension EdgeDatapath {
    /// Makes the bridge exist in the node namespace, up, with the gateway addresses, and
    /// turns on IPv4 (and, with an IPv6 gateway, IPv6) forwarding there. Idempotent.
    /// Returns the bridge's interface index.
    @discardableResult
    public func ensureBridge(_ bridge: BridgeSpec) throws(DatapathError) -> Int32 {
        throw .invalidSpec("ensureBridge is being implemented")
    }
}
