import Netlink
import NetworkCore

/// A network this node sits on: the prefix of one of its addresses, on a link that is up.
/// A peer whose node address falls inside one is one hop away.
public struct ConnectedNetwork: Hashable, Sendable {
    public var prefix: IPPrefix
    /// The link the address is on (NHA_OIF / RTA_OIF of routes through the peer).
    public var linkIndex: Int32
    /// Our own address there: a peer with this address is this node.
    public var localAddress: IPAddress

    public init(prefix: IPPrefix, linkIndex: Int32, localAddress: IPAddress) {
        self.prefix = prefix
        self.linkIndex = linkIndex
        self.localAddress = localAddress
    }

    /// RT_SCOPE_HOST: loopback's addresses, never a shared network.
    static let hostScope: UInt8 = 254

    /// The connected networks among `addresses`: links up, host-scoped (loopback) and
    /// single-address prefixes (a /32 is no shared network) left out.
    public static func from(addresses: [Address], links: [Link]) -> [ConnectedNetwork] {
        let up = Set(links.filter(\.isUp).map(\.index))
        return addresses.compactMap { address in
            let full = address.address.family == .v4 ? 32 : 128
            guard up.contains(address.index), address.scope != hostScope, address.address.prefixLength < full else { return nil }
            return ConnectedNetwork(prefix: address.address.prefix, linkIndex: address.index, localAddress: address.address.address)
        }
    }
}
