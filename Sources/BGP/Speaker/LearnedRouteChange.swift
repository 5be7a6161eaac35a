import NetworkCore

/// A change of the Loc-RIB's best path as a kernel table sees it: where the prefix goes
/// now, or nil when no learned route is left (withdrawn, its next hop unreachable, or our
/// originated route won). Only what the kernel needs: a full table of changes waiting for
/// the kernel costs a prefix and a next hop each, not a copy of every attribute set.
public struct LearnedRouteChange: Hashable, Sendable {
    public var prefix: IPPrefix
    public var nextHop: LearnedNextHop?

    public init(prefix: IPPrefix, nextHop: LearnedNextHop?) {
        self.prefix = prefix
        self.nextHop = nextHop
    }
}

/// A learned route's gateway for the kernel, with the interface when the address alone
/// does not say it (a link-local next hop, RFC 2545 §3).
public struct LearnedNextHop: Hashable, Sendable, CustomStringConvertible {
    public var gateway: IPAddress
    /// Interface index of the session the route came over (RTA_OIF).
    public var interface: Int32?

    public init(gateway: IPAddress, interface: Int32? = nil) {
        self.gateway = gateway
        self.interface = interface
    }

    public var description: String { interface.map { "\(gateway) dev \($0)" } ?? "\(gateway)" }
}
