import CNetlink
import Glibc
import NetworkCore

/// Address, route and rule requests, for `NetlinkSocket.perform` batches.
extension NetlinkRequest {
    /// `ip addr add ADDRESS dev INDEX [nodad]`
    public static func addAddress(_ address: InterfaceAddress, index: Int32, noDAD: Bool = false) -> NetlinkRequest {
        NetlinkRequest(type: RTM_NEWADDR, kind: .create,
                       payload: Address.message(address, index: index, noDAD: noDAD).encoded(),
                       operation: "addAddress", object: "\(address) dev \(index)")
    }

    /// `ip addr del ADDRESS dev INDEX`; a missing address is `.notFound`.
    public static func deleteAddress(_ address: InterfaceAddress, index: Int32) -> NetlinkRequest {
        var request = NetlinkRequest(type: RTM_DELADDR, kind: .delete,
                                     payload: Address.message(address, index: index, noDAD: false).encoded(),
                                     operation: "deleteAddress", object: "\(address) dev \(index)")
        request.notFoundErrnos.insert(EADDRNOTAVAIL)
        return request
    }

    /// `ip route add ROUTE`
    public static func addRoute(_ route: KernelRoute) -> NetlinkRequest {
        routeRequest(RTM_NEWROUTE, .create, route.message(), "addRoute", route)
    }

    /// `ip route replace ROUTE`
    public static func replaceRoute(_ route: KernelRoute) -> NetlinkRequest {
        routeRequest(RTM_NEWROUTE, .replace, route.message(), "replaceRoute", route)
    }

    /// `ip route del ROUTE`; a missing route is `.notFound` (ESRCH).
    public static func deleteRoute(_ route: KernelRoute) -> NetlinkRequest {
        routeRequest(RTM_DELROUTE, .delete, route.message(forDeletion: true), "deleteRoute", route)
    }

    /// `ip route del ROUTE proto P`: removes the route only if it has the route's protocol,
    /// so a daemon never deletes another protocol's route for the same prefix.
    public static func deleteRoute(_ route: KernelRoute, matchingProtocol: Bool) -> NetlinkRequest {
        routeRequest(RTM_DELROUTE, .delete, route.message(forDeletion: true, matchingProtocol: matchingProtocol),
                     "deleteRoute", route)
    }

    /// `ip rule add RULE`
    public static func addRule(_ rule: Rule) -> NetlinkRequest {
        NetlinkRequest(type: RTM_NEWRULE, kind: .create, payload: rule.message().encoded(),
                       operation: "addRule", object: rule.description)
    }

    /// `ip rule del RULE`; a missing rule is `.notFound` (ENOENT).
    public static func deleteRule(_ rule: Rule) -> NetlinkRequest {
        NetlinkRequest(type: RTM_DELRULE, kind: .delete, payload: rule.message().encoded(),
                       operation: "deleteRule", object: rule.description)
    }

    private static func routeRequest(_ type: Int, _ kind: RequestKind, _ message: RouteMessage,
                                     _ operation: String, _ route: KernelRoute) -> NetlinkRequest {
        NetlinkRequest(type: type, kind: kind, payload: message.encoded(), operation: operation, object: route.description)
    }
}
